package main

import (
	"os"
	"path/filepath"
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

// The README shows the dev banner's example as dev prints it with its
// default addresses.
func TestREADMEShowsTheDevBanner(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out testenv.Buffer
	app := newApp()
	app.Writer = &out
	printDevBanner(cli.NewContext(app, nil, nil), "http://localhost:8080", "http://localhost:8081", "ct_dev_0123456789abcdefghij", false)
	for _, line := range devExample("http://localhost:8080", "http://localhost:8081") {
		if !strings.Contains(out.String(), line) {
			t.Errorf("the banner lacks its example line %q:\n%s", line, out.String())
		}
		if !strings.Contains(string(readme), "\n"+line+"\n") {
			t.Errorf("README.md lacks the dev banner's line\n%s", line)
		}
	}
	for _, addr := range []string{"127.0.0.1:8081", "127.0.0.1:8080"} { // what dev binds by default
		if !strings.Contains(string(readme), addr) {
			t.Errorf("README.md does not say dev listens on %s", addr)
		}
	}
	if v := redirectAddrFlag.Value + " " + apiAddrFlag.Value; v != "127.0.0.1:8080 127.0.0.1:8081" {
		t.Errorf("dev's default addresses %s; the README and this test say 127.0.0.1:8080 127.0.0.1:8081", v)
	}
}
