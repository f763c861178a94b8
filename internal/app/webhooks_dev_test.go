package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestDevDeliversLinkEventsAndAlerts runs the embedded default: an
// endpoint created through the mounted webhook API receives a verified
// link.created when a link is created through the link API, a
// click.created per click, and one alert.threshold at the link's second
// click (not another at the third).
func TestDevDeliversLinkEventsAndAlerts(t *testing.T) {
	dev := webhookDev(t)
	redirectURL, apiURL := startDev(t, dev)

	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		return devCall(t, apiURL, method, path, body)
	}
	rc := testenv.NewWebhookReceiver(t, nil)
	status, ep := call("POST", "/v1/webhooks/endpoints", map[string]any{
		"url": rc.URL + "/hooks", "events": []string{"link.created", "alert.threshold", "click.created"},
		"alerts": map[string]any{"threshold": map[string]any{"clicks": 2, "window": "1h"}},
	})
	if status != http.StatusCreated {
		t.Fatalf("create endpoint: %d %v", status, ep)
	}
	rc.SetSecret(ep["secret"].(string))

	status, link := call("POST", "/v1/links", map[string]any{"destination_url": "http://127.0.0.1:9/spring", "path": "spring"})
	if status != http.StatusCreated {
		t.Fatalf("create link: %d %v", status, link)
	}
	testutil.WaitFor(t, "the link.created webhook", func() bool { return len(rc.OfType("link.created")) == 1 })
	p := rc.OfType("link.created")[0]
	if data, _ := p["data"].(map[string]any); data["id"] != link["id"] || len(p["webhook-id"].(string)) != 36 {
		t.Errorf("link.created %v", p)
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range 3 {
		resp, err := noRedirect.Get(redirectURL + "/spring")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("click %d: %s", i, resp.Status)
		}
		if i == 1 {
			testutil.WaitFor(t, "the alert.threshold webhook", func() bool { return len(rc.OfType("alert.threshold")) == 1 })
		}
	}
	// The handler that delivers a click.created has fed the same click to
	// the alert rules: after the third, no second alert may have come.
	testutil.WaitFor(t, "three click.created webhooks", func() bool { return len(rc.OfType("click.created")) == 3 })
	if got := rc.OfType("alert.threshold"); len(got) != 1 {
		t.Errorf("%d alert.threshold webhooks, want 1", len(got))
	}
	a := rc.OfType("alert.threshold")[0]
	if data, _ := a["data"].(map[string]any); data["link_id"] != link["id"] || data["clicks"] != float64(2) {
		t.Errorf("alert %v", a)
	}
	if _, bad := rc.Received(); len(bad) != 0 {
		t.Errorf("refused: %v", bad)
	}
}

// startDev runs RunDev with dev until the test ends (the cleanup stops it
// and checks it returned nil) and returns its redirector and API base URLs
// once both listen.
// devKey is the API key of webhookDev.
const devKey = "dev-test-key-0123456789abcdef"

// webhookDev is the embedded default as the webhook tests run it: loopback
// listeners, devKey, private destinations and endpoints allowed (the
// receivers are httptest servers), and small, quick batches.
func webhookDev(t *testing.T) Dev {
	return Dev{
		RedirectNode: RedirectNode{
			DataDir: t.TempDir(), RedirectAddr: "127.0.0.1:0", APIAddr: "127.0.0.1:0", APIKeys: []string{devKey},
			DefaultDomain: "go.brand.test", ShortURLScheme: "http", AnyHost: true,
			Destinations: linkapi.DestinationPolicy{AllowPrivateDestinations: true},
		},
		StageConfigs: StageConfigs{Enrich: enrich.Config{HashSecret: bytes.Repeat([]byte("s"), 32)},
			Webhooks: Webhooks{Delivery: webhook.Config{AllowPrivate: true}}},
		Batch: Batch{MaxRecords: 100, MaxWait: 20 * time.Millisecond},
	}
}

// devCall sends body as JSON to the dev API at apiURL with devKey and
// returns the status and the decoded JSON object of the answer.
func devCall(t *testing.T, apiURL, method, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, apiURL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+devKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func startDev(t *testing.T, dev Dev) (redirectURL, apiURL string) {
	t.Helper()
	ready := make(chan [2]string, 1)
	dev.OnReady = func(r, a string) { ready <- [2]string{r, a} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunDev(ctx, dev) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunDev: %v", err)
		}
	})
	select {
	case urls := <-ready:
		return urls[0], urls[1]
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("RunDev ended before serving: %v", err)
	}
	return "", ""
}
