package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestDevOpenAPIListsWebhookRoutes: the link API's OpenAPI document in dev
// lists every operation of the mounted webhook endpoint API with the scope
// it needs.
func TestDevOpenAPIListsWebhookRoutes(t *testing.T) {
	dev := Dev{
		RedirectNode: RedirectNode{
			DataDir: t.TempDir(), RedirectAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", APIKeys: []string{"dev-test-key-0123456789abcdef"},
			DefaultDomain: "go.brand.test", AnyHost: true,
		},
		StageConfigs: StageConfigs{Enrich: enrich.Config{HashSecret: bytes.Repeat([]byte("s"), 32)}},
		Batch:        Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond},
	}
	_, apiURL := startDev(t, dev)
	resp, err := http.Get(apiURL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range webhook.Routes() {
		op, ok := doc.Paths[r.Pattern][map[string]string{"GET": "get", "POST": "post", "PATCH": "patch", "DELETE": "delete"}[r.Method]]
		if !ok {
			t.Errorf("%s %s is not in the OpenAPI document", r.Method, r.Pattern)
			continue
		}
		want := "webhooks:read"
		if r.Write {
			want = "webhooks:write"
		}
		if len(op.Security) != 1 || len(op.Security[0]["bearer"]) != 1 || op.Security[0]["bearer"][0] != want {
			t.Errorf("%s %s: security %v, want %s", r.Method, r.Pattern, op.Security, want)
		}
	}
}
