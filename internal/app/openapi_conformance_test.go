package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/openapicheck"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestOpenAPIConformance holds the dev server to its OpenAPI document: for
// every operation (the link API's and the mounted webhook endpoint API's) it
// sends the requests openapicheck generates from the document's schemas,
// valid and invalid, and checks every answer's status, Content-Type and body
// against what the document says the operation answers.
func TestOpenAPIConformance(t *testing.T) {
	const key = "dev-conformance-key-0123456789"
	dev := Dev{
		RedirectNode: RedirectNode{
			DataDir: t.TempDir(), RedirectAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", APIKeys: []string{key},
			DefaultDomain: "go.brand.test", AnyHost: true, AllowPrivateCallbacks: true,
			// every generated request must reach its handler
			RateLimit:    linkapi.RateLimitConfig{PerSecond: -1},
			Destinations: linkapi.DestinationPolicy{AllowPrivateDestinations: true},
		},
		StageConfigs: StageConfigs{Enrich: enrich.Config{HashSecret: bytes.Repeat([]byte("s"), 32)},
			Webhooks: Webhooks{Delivery: webhook.Config{AllowPrivate: true}}},
		Batch: Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond},
	}
	_, apiURL := startDev(t, dev)
	resp, err := http.Get(apiURL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	spec, err := openapicheck.Load(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Ops) < 30 {
		t.Fatalf("the document has %d operations; the dev server serves more", len(spec.Ops))
	}
	cfg := openapicheck.Config{BaseURL: apiURL, Key: key}
	if os.Getenv("OPENAPICHECK_TRACE") != "" {
		cfg.Trace = func(method, target string, body []byte, status int, answer []byte) {
			t.Logf("%s %s %s -> %d %s", method, target, body, status, bytes.TrimSpace(answer))
		}
	}
	report, err := openapicheck.Run(context.Background(), spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests over %d operations; answers by status:\n%s", report.Requests, len(spec.Ops), strings.Join(report.Coverage(), "\n"))
	if d := report.Distinct(); len(d) > 0 {
		t.Errorf("%d distinct disagreements with the OpenAPI document:\n%s", len(d), strings.Join(d, "\n"))
	}
}
