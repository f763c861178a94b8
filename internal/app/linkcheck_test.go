package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

// TestDevReportsBrokenDestinations runs dev with the destination checker:
// a link whose destination answers 500 produces one verified
// link.destination_broken webhook (after two failed checks), and one
// link.destination_recovered once it answers 200 again.
func TestDevReportsBrokenDestinations(t *testing.T) {
	const key = "dev-test-key-0123456789abcdef"
	healthy := make(chan bool, 1)
	healthy <- false
	dest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := <-healthy
		healthy <- ok
		if !ok {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer dest.Close()
	dev := Dev{
		RedirectNode: RedirectNode{
			DataDir: t.TempDir(), RedirectAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", APIKeys: []string{key},
			DefaultDomain: "go.brand.test", ShortURLScheme: "http", AnyHost: true,
			Destinations: redirect.DestinationPolicy{AllowPrivateDestinations: true},
			LinkCheck: LinkCheck{Enabled: true, AllowPrivate: true, Interval: 50 * time.Millisecond,
				RoundInterval: 50 * time.Millisecond, BackoffBase: 10 * time.Millisecond},
		},
		Enrich:   Enrich{HashSecret: bytes.Repeat([]byte("s"), 32)},
		Batch:    Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond},
		Webhooks: Webhooks{AllowPrivate: true},
	}
	_, apiURL := startDev(t, dev)
	call := func(path string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", apiURL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	rc := newVerifyingReceiver(t)
	ep := call("/v1/webhooks/endpoints", map[string]any{
		"url": rc.srv.URL + "/hooks", "events": []string{"link.destination_broken", "link.destination_recovered"},
	})
	rc.mu.Lock()
	rc.secret = ep["secret"].(string)
	rc.mu.Unlock()
	link := call("/v1/links", map[string]any{"destination_url": dest.URL + "/landing", "path": "broken", "tags": []string{"spring"}})

	waitDev(t, "the link.destination_broken webhook", func() bool { return len(rc.ofType("link.destination_broken")) == 1 })
	data, _ := rc.ofType("link.destination_broken")[0]["data"].(map[string]any)
	if data["link_id"] != link["id"] || data["status"] != float64(500) || data["destination"] != dest.URL+"/landing" {
		t.Fatalf("link.destination_broken data %v", data)
	}
	<-healthy
	healthy <- true
	waitDev(t, "the link.destination_recovered webhook", func() bool { return len(rc.ofType("link.destination_recovered")) == 1 })
	if n := len(rc.ofType("link.destination_broken")); n != 1 {
		t.Fatalf("%d link.destination_broken webhooks, want 1", n)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bad) > 0 {
		t.Fatalf("receiver refused: %v", rc.bad)
	}
}
