package linkapi_test

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/bulk"
	"github.com/clicktrail/clicktrail/redirect"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite testdata/openapi.json from the current route table")

// TestOpenAPIGolden pins the bytes of GET /v1/openapi.json as the link API
// serves it with its bulk job routes (linkapi/bulk, through APIConfig.Routes): a change of the route table, of a
// documented type or of a fact shows here (regenerate with -update-openapi
// or REGENERATE_SNAPSHOTS=true, and review the diff).
func TestOpenAPIGolden(t *testing.T) {
	s, err := redirect.OpenStore(t.TempDir(), redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := linkapi.APIConfig{Store: s, APIKeys: []string{"golden-key-0123456789"}, DefaultDomain: "go.example.com"}
	if cfg.Routes, err = bulk.Routes(cfg, bulk.Config{}); err != nil {
		t.Fatal(err)
	}
	h, err := linkapi.NewAPI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/openapi.json: %d %s", rec.Code, rec.Body)
	}
	got := rec.Body.Bytes()
	path := filepath.Join("testdata", "openapi.json")
	if *updateOpenAPI || os.Getenv("REGENERATE_SNAPSHOTS") == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-openapi to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("GET /v1/openapi.json differs from %s (-update-openapi to accept after review); got %d bytes, want %d", path, len(got), len(want))
	}
}
