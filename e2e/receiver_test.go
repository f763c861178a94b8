package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/sinks/webhook"
	"github.com/clicktrail/clicktrail/webhooks"
)

// receiver is a real webhook endpoint that verifies every request with the
// shipped verifier. It answers its n-th verified request with status(n)
// (nil: 204) and keeps each verified payload, with its webhook-id under
// "webhook-id".
type receiver struct {
	srv    *httptest.Server
	status func(n int) int

	mu     sync.Mutex
	secret string
	got    []map[string]any
	bad    []error
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	rc := &receiver{status: status}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		if err := webhooks.Verify([]string{rc.secret}, r.Header, body, time.Now(), 0); err != nil {
			rc.bad = append(rc.bad, err)
			rc.mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			rc.bad = append(rc.bad, err)
			p = map[string]any{}
		}
		p["webhook-id"] = r.Header.Get(webhooks.HeaderID)
		n := len(rc.got)
		rc.got = append(rc.got, p)
		rc.mu.Unlock()
		status := http.StatusNoContent
		if rc.status != nil {
			status = rc.status(n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// setSecret is the endpoint's signing secret, once it is known.
func (rc *receiver) setSecret(s string) {
	rc.mu.Lock()
	rc.secret = s
	rc.mu.Unlock()
}

// subscribe registers rc as an endpoint for events in the webhook
// registry under sinkDir (before the sink that owns it starts) and teaches
// rc the endpoint's secret.
func (rc *receiver) subscribe(t *testing.T, sinkDir string, events ...string) {
	t.Helper()
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: filepath.Join(sinkDir, "webhooks")})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := reg.Create(webhook.EndpointSpec{URL: rc.srv.URL + "/hooks", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	rc.setSecret(ep.Secrets[0].Value)
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
}

// received returns copies of the verified payloads and the refusals.
func (rc *receiver) received() ([]map[string]any, []error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.got...), append([]error(nil), rc.bad...)
}

// waitFor polls until the receiver holds at least n verified payloads.
func (rc *receiver) waitFor(t *testing.T, what string, n int, deadline time.Duration) {
	t.Helper()
	waitFor(t, what, deadline, func() (bool, string) {
		got, bad := rc.received()
		return len(got) >= n, fmt.Sprintf("received %d, refused %v", len(got), bad)
	})
}
