package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// receiver is a real webhook endpoint verifying every request with the
// shipped verifier (testenv.WebhookReceiver), with the e2e helpers.
type receiver struct{ *testenv.WebhookReceiver }

func newReceiver(t *testing.T, status func(n int) int) receiver {
	return receiver{testenv.NewWebhookReceiver(t, status)}
}

// subscribe registers rc as an endpoint for events in the webhook
// registry under sinkDir (before the sink that owns it starts) and teaches
// rc the endpoint's secret.
func (rc receiver) subscribe(t *testing.T, sinkDir string, events ...string) {
	t.Helper()
	// The sink, given no --secrets-key, seals with the key it keeps in its
	// data directory (ADR 007): seal with the same one.
	key, err := seal.LoadOrCreateKey(filepath.Join(sinkDir, "secrets-key"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewRing(key)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: filepath.Join(sinkDir, "webhooks"), Secrets: ring})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := reg.Create(webhook.EndpointSpec{URL: rc.URL + "/hooks", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	rc.SetSecret(ep.Secrets[0].Value)
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls until the receiver holds at least n verified payloads.
func (rc receiver) waitFor(t *testing.T, what string, n int, deadline time.Duration) {
	t.Helper()
	testutil.Eventually(t, what, func() (bool, string) {
		got, bad := rc.Received()
		return len(got) >= n, fmt.Sprintf("received %d, refused %v", len(got), bad)
	}, testutil.Timeout(deadline), pollEvery)
}
