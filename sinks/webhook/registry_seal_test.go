package webhook

import (
	"errors"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
)

// Signing secrets are sealed on disk, open under a rotated ring (and are
// sealed again under its new key), and a ring without their key refuses to
// open the registry rather than sign with nothing (issue 11).
func TestRegistrySealsSecretsAtRest(t *testing.T) {
	dir := t.TempDir()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	k1, k2 := seal.NewKey("k1"), seal.NewKey("k2")
	ring := func(keys ...seal.Key) *seal.Ring {
		r, err := seal.NewRing(keys...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	open := func(r *seal.Ring) (*Registry, error) {
		return OpenRegistry(RegistryConfig{Dir: dir, Now: clock.Now, Secrets: r})
	}
	r, err := open(ring(k1))
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Create(EndpointSpec{URL: "https://hooks.example.com/in", Events: []string{schemas.EventClickCreated}})
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := r.RotateSecret(e.ID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{rotated.Secrets[0].Value, rotated.Secrets[1].Value}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if found, err := testutil.FindSecrets(dir, nil, secrets...); err != nil || len(found) > 0 {
		t.Fatalf("secrets in the registry's files: %q, %v", found, err)
	}

	if _, err := open(ring(k2)); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("open without the sealing key: %v, want ErrOpen", err)
	}
	r, err = open(ring(k2, k1)) // k2 seals from now on; k1 still opens
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(e.ID)
	if err != nil || len(got.Secrets) != 2 || got.Secrets[0].Value != secrets[0] || got.Secrets[1].Value != secrets[1] {
		t.Fatalf("after reopening under the rotated ring: %v %v", got.Secrets, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	// Opening resealed them under k2: k1 is no longer needed.
	r, err = open(ring(k2))
	if err != nil {
		t.Fatalf("open with k2 alone after the reseal: %v", err)
	}
	if got, err := r.Get(e.ID); err != nil || got.Secrets[0].Value != secrets[0] {
		t.Fatalf("after the reseal: %v %v", got.Secrets, err)
	}
	r.Close()
}
