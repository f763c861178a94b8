package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/testenv"
)

// The dev banner masks the API key; a generated one is printed in full
// exactly once, in the export line its curl example uses (issue 11).
func TestDevBannerMasksTheKey(t *testing.T) {
	const key = "ct_dev_SECRETSECRETSECRETSECRET"
	for _, generated := range []bool{true, false} {
		var out testenv.Buffer
		app := newApp()
		app.Writer = &out
		printDevBanner(cli.NewContext(app, nil, nil), "http://127.0.0.1:8080", "http://127.0.0.1:8081", key, generated)
		got := out.String()
		want := 0
		if generated {
			want = 1
			if !strings.Contains(got, "export CLICKTRAIL_API_KEY="+key+" ") {
				t.Errorf("generated key: no export line:\n%s", got)
			}
		}
		if n := strings.Count(got, key); n != want {
			t.Errorf("generated %v: the full key appears %d times, want %d:\n%s", generated, n, want, got)
		}
		if !strings.Contains(got, maskKey(key)) || !strings.Contains(got, "Bearer $CLICKTRAIL_API_KEY") {
			t.Errorf("generated %v: no masked key or no curl example:\n%s", generated, got)
		}
	}
}
