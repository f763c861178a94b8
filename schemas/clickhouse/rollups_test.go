package clickhouse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRecomputeStatementsGolden pins the compaction's SQL for 18.16 and a
// current server.
func TestRecomputeStatementsGolden(t *testing.T) {
	rc := Recompute{From: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC), Version: 1772370000}
	for _, tt := range []struct {
		golden string
		f      Features
	}{
		{"recompute_18_16.sql", FeaturesFor(18, 16)},
		{"recompute_24_8.sql", FeaturesFor(24, 8)},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			var stmts []string
			for _, kind := range []string{"clicks", "conversions"} {
				s, err := RecomputeStatements("analytics", tt.f, Options{}, kind, rc)
				if err != nil {
					t.Fatal(err)
				}
				stmts = append(stmts, s...)
			}
			got := strings.Join(stmts, ";\n\n") + ";\n"
			path := filepath.Join("testdata", tt.golden)
			if regenerate() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update or REGENERATE_SNAPSHOTS=true to create it)", err)
			}
			if got != string(want) {
				t.Errorf("SQL differs from %s (run with -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

func TestRecomputeStatementsRejectsBadInput(t *testing.T) {
	rc := Recompute{From: time.Unix(0, 0), To: time.Unix(3600, 0)}
	for name, call := range map[string]func() error{
		"kind":     func() error { _, err := RecomputeStatements("db", Features{}, Options{}, "views", rc); return err },
		"database": func() error { _, err := RecomputeStatements("d-b", Features{}, Options{}, "clicks", rc); return err },
		"table": func() error {
			_, err := RecomputeStatements("db", Features{}, Options{Table: "a b"}, "clicks", rc)
			return err
		},
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want one naming %s", name, err, name)
		}
	}
}
