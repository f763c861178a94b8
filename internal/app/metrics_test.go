package app

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/metrics"
	"github.com/clicktrail/clicktrail/redirect"
)

func TestMetricsReadTheNodeCounters(t *testing.T) {
	dir := t.TempDir()
	store, err := redirect.OpenStore(filepath.Join(dir, "links"), redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	spool, err := ingest.OpenSpool(filepath.Join(dir, "spool"), ingest.SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	rd, err := redirect.NewRedirector(redirect.RedirectConfig{Store: store, Clicks: spool, Topic: "clicks.raw.v1",
		DefaultDomain: "go.example.com", AnyHost: true, VisitorSecret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	l := &redirect.Link{ID: redirect.NewLinkID(), WorkspaceID: redirect.DefaultWorkspaceID, Domain: "go.example.com",
		Path: "m", DestinationURL: "https://example.com/"}
	if err := store.Create(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/m", "/m", "/nope"} {
		rd.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	reg := metrics.New()
	reg.MustRegister(nodeCollector{rd, spool})
	srv := httptest.NewServer(debugHandler(reg))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`clicktrail_redirect_requests_total{result="served"} 2`,
		`clicktrail_redirect_requests_total{result="not_found"} 1`,
		`clicktrail_spool_appends_total 2`,
		`clicktrail_spool_backlog_records{topic="clicks.raw.v1"} 2`,
		"go_goroutines",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, b)
		}
	}
}
