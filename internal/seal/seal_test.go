package seal

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	old, cur := NewKey("k1"), NewKey("k2")
	ring1, err := NewRing(old)
	if err != nil {
		t.Fatal(err)
	}
	ring2, err := NewRing(cur, old) // rotated: k2 seals, k1 still opens
	if err != nil {
		t.Fatal(err)
	}
	const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="
	v := ring1.Seal(secret, "ep_1")
	if strings.Contains(v, secret) || !IsSealed(v) || v == ring1.Seal(secret, "ep_1") {
		t.Fatalf("sealed %q: holds the secret, is not sealed, or is deterministic", v)
	}
	if got, err := ring2.Open(v, "ep_1"); err != nil || got != secret {
		t.Fatalf("open under the rotated ring: %q, %v", got, err)
	}
	if ring2.Current(v) || !ring1.Current(v) {
		t.Error("Current: want false under the rotated ring, true under the first")
	}
	for name, open := range map[string]func() (string, error){
		"other context": func() (string, error) { return ring1.Open(v, "ep_2") },
		"unknown key":   func() (string, error) { return ring1.Open(ring2.Seal(secret, "ep_1"), "ep_1") },
		"altered":       func() (string, error) { return ring1.Open(v[:len(v)-2]+"AA", "ep_1") },
		"plain":         func() (string, error) { return ring1.Open(secret, "ep_1") },
	} {
		if got, err := open(); !errors.Is(err, ErrOpen) || got != "" {
			t.Errorf("%s: %q, %v; want ErrOpen", name, got, err)
		}
	}
}

func TestNewRingRefusesBadKeys(t *testing.T) {
	for name, keys := range map[string][]Key{
		"none":      nil,
		"short key": {{ID: "a", Key: make([]byte, 16)}},
		"bad id":    {{ID: "a:b", Key: make([]byte, KeyLen)}},
		"duplicate": {NewKey("a"), NewKey("a")},
	} {
		if _, err := NewRing(keys...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseKeyAndFile(t *testing.T) {
	k := NewKey("2026-01")
	got, err := ParseKey(k.String())
	if err != nil || got.ID != k.ID || string(got.Key) != string(k.Key) {
		t.Fatalf("ParseKey(String()): %+v, %v", got, err)
	}
	for _, bad := range []string{"", "nokey", "a:short", "a:!!!!", ":" + strings.Repeat("A", 43)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	path := filepath.Join(t.TempDir(), "secrets-key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || k2.String() != k1.String() {
		t.Fatalf("second load: %v, %v; want the first key", k2.ID, err)
	}
}
