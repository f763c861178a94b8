package main

import (
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
)

// migrate says what it applied, and "already up to date" only when it
// applied nothing (it said "schema up to date" after applying three).
func TestPrintMigrateResult(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  app.MigrateResult
		want []string
		not  string
	}{
		{"applied", app.MigrateResult{ServerVersion: "24.8", Applied: []string{"1 clicks", "2 rollups", "3 conversions"}},
			[]string{"applied migration 1 clicks\n", "applied migration 3 conversions\n", "schema up to date on ClickHouse 24.8: applied 3 migration(s)\n"}, "already"},
		{"nothing", app.MigrateResult{ServerVersion: "24.8"},
			[]string{"schema already up to date on ClickHouse 24.8: nothing to apply\n"}, "applied migration"},
		{"not connected", app.MigrateResult{}, nil, "schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out testenv.Buffer
			printMigrateResult(&out, tc.res)
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), tc.not) {
				t.Errorf("output says %q:\n%s", tc.not, out.String())
			}
		})
	}
}
