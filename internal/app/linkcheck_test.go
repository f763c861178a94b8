package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestDevReportsBrokenDestinations runs dev with the destination checker:
// a link whose destination answers 500 produces one verified
// link.destination_broken webhook (after two failed checks), and one
// link.destination_recovered once it answers 200 again.
func TestDevReportsBrokenDestinations(t *testing.T) {
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
	dev := webhookDev(t)
	dev.LinkCheck = LinkCheck{Enabled: true, AllowPrivate: true, Interval: 50 * time.Millisecond,
		RoundInterval: 50 * time.Millisecond, BackoffBase: 10 * time.Millisecond}
	_, apiURL := startDev(t, dev)
	call := func(path string, body any) map[string]any {
		t.Helper()
		status, out := devCall(t, apiURL, "POST", path, body)
		if status != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, status, out)
		}
		return out
	}
	rc := testenv.NewWebhookReceiver(t, nil)
	ep := call("/v1/webhooks/endpoints", map[string]any{
		"url": rc.URL + "/hooks", "events": []string{"link.destination_broken", "link.destination_recovered"},
	})
	rc.SetSecret(ep["secret"].(string))
	link := call("/v1/links", map[string]any{"destination_url": dest.URL + "/landing", "path": "broken", "tags": []string{"spring"}})

	testutil.WaitFor(t, "the link.destination_broken webhook", func() bool { return len(rc.OfType("link.destination_broken")) == 1 })
	data, _ := rc.OfType("link.destination_broken")[0]["data"].(map[string]any)
	if data["link_id"] != link["id"] || data["status"] != float64(500) || data["destination"] != dest.URL+"/landing" {
		t.Fatalf("link.destination_broken data %v", data)
	}
	<-healthy
	healthy <- true
	testutil.WaitFor(t, "the link.destination_recovered webhook", func() bool { return len(rc.OfType("link.destination_recovered")) == 1 })
	if n := len(rc.OfType("link.destination_broken")); n != 1 {
		t.Fatalf("%d link.destination_broken webhooks, want 1", n)
	}
	if _, bad := rc.Received(); len(bad) != 0 {
		t.Fatalf("receiver refused: %v", bad)
	}
}
