package idempotency

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/redirect"
)

func TestIdempotencySweep(t *testing.T) {
	links, err := redirect.OpenStore(t.TempDir(), redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer links.Close()
	s := NewStore(links)
	testNow := time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC)
	keys := make([][sha256.Size]byte, 5)
	for i := range keys {
		keys[i] = sha256.Sum256([]byte{byte(i)})
		rec := &Record{Fingerprint: []byte("fp"), Status: 201, Body: []byte("{}"),
			Expires: testNow.Add(time.Duration(i) * time.Hour)}
		if err := s.Put(keys[i], rec); err != nil {
			t.Fatal(err)
		}
	}
	// Key 0 is stored again with a later expiry: its record must survive.
	if err := s.Put(keys[0], &Record{Fingerprint: []byte("fp"), Status: 200, Expires: testNow.Add(10 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Key 1 is in flight: the sweep leaves it for the next one.
	s.Claim(keys[1])
	now := testNow.Add(2*time.Hour + time.Minute) // keys 0 (first entry), 1 and 2 have expired
	n, err := s.Sweep(now, 10)
	if err != nil || n != 2 {
		t.Fatalf("sweep: %d, %v; want 2 (key 0's stale entry and key 2)", n, err)
	}
	present := func(kh [sha256.Size]byte) bool {
		found, err := pebblekv.Get(links.DB(), idemKey(kh), func([]byte) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	for i, want := range []bool{true, true, false, true, true} {
		if present(keys[i]) != want {
			t.Errorf("key %d present = %v, want %v", i, !want, want)
		}
	}
	s.Release(keys[1])
	if n, err := s.Sweep(now, 10); err != nil || n != 1 || present(keys[1]) {
		t.Errorf("second sweep: %d, %v, key 1 present %v", n, err, present(keys[1]))
	}
	if rec, err := s.Get(keys[0], now); err != nil || rec == nil || rec.Status != 200 {
		t.Errorf("key 0 after sweeps: %+v, %v", rec, err)
	}
}
