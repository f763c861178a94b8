package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/webhooksig"
)

// WebhookReceiver is a real webhook endpoint for tests: it verifies every
// request with the shipped verifier (package webhooksig) against the
// endpoint's secret, answers its n-th verified request with status(n) (nil:
// 204, a refused one gets 401), and keeps each verified payload, with its
// webhook-id under "webhook-id".
type WebhookReceiver struct {
	URL string // the server's base URL

	status func(n int) int
	mu     sync.Mutex
	secret string
	got    []map[string]any
	bad    []error
}

// NewWebhookReceiver starts a receiver, closed when the test ends.
func NewWebhookReceiver(t testing.TB, status func(n int) int) *WebhookReceiver {
	rc := &WebhookReceiver{status: status}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		if err := webhooksig.Verify([]string{rc.secret}, r.Header, body, time.Now(), 0); err != nil {
			rc.bad = append(rc.bad, err)
			rc.mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil || p == nil {
			rc.bad = append(rc.bad, err)
			p = map[string]any{}
		}
		p["webhook-id"] = r.Header.Get(webhooksig.HeaderID)
		n := len(rc.got)
		rc.got = append(rc.got, p)
		rc.mu.Unlock()
		status := http.StatusNoContent
		if rc.status != nil {
			status = rc.status(n)
		}
		w.WriteHeader(status)
	}))
	rc.URL = srv.URL
	t.Cleanup(srv.Close)
	return rc
}

// SetSecret is the endpoint's signing secret, once it is known.
func (rc *WebhookReceiver) SetSecret(s string) {
	rc.mu.Lock()
	rc.secret = s
	rc.mu.Unlock()
}

// Received returns copies of the verified payloads and of the refusals.
func (rc *WebhookReceiver) Received() ([]map[string]any, []error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.got...), append([]error(nil), rc.bad...)
}

// OfType returns the verified payloads of event type typ.
func (rc *WebhookReceiver) OfType(typ string) []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []map[string]any
	for _, p := range rc.got {
		if p["type"] == typ {
			out = append(out, p)
		}
	}
	return out
}
