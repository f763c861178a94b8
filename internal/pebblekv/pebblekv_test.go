package pebblekv

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ in, want []byte }{
		{[]byte("r/clicks/"), []byte("r/clicks0")},
		{[]byte{'a', 0xff}, []byte{'b'}},
		{[]byte{0xff, 0xff}, nil},
		{nil, nil},
	} {
		in := append([]byte(nil), tc.in...)
		if got := PrefixEnd(tc.in); !bytes.Equal(got, tc.want) {
			t.Errorf("PrefixEnd(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !bytes.Equal(in, tc.in) {
			t.Errorf("PrefixEnd modified its argument")
		}
	}
}

// FuzzPrefixEnd: every key with the prefix sorts below the bound, and the
// prefix itself too.
func FuzzPrefixEnd(f *testing.F) {
	f.Add([]byte("c/"), []byte("x"))
	f.Add([]byte{0x00, 0xff}, []byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, p, rest []byte) {
		end := PrefixEnd(p)
		key := append(append([]byte(nil), p...), rest...)
		if end != nil && bytes.Compare(key, end) >= 0 {
			t.Fatalf("key %q of prefix %q is not below %q", key, p, end)
		}
	})
}

func TestGet(t *testing.T) {
	db, err := pebble.Open("kv", &pebble.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Set([]byte("k"), []byte("value"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	var got string
	if found, err := Get(db, []byte("k"), func(v []byte) error { got = string(v); return nil }); !found || err != nil || got != "value" {
		t.Errorf("present key: found=%v err=%v value %q", found, err, got)
	}
	called := false
	if found, err := Get(db, []byte("absent"), func([]byte) error { called = true; return nil }); found || err != nil || called {
		t.Errorf("absent key: found=%v err=%v decode called %v", found, err, called)
	}
	bad := errors.New("bad value")
	if found, err := Get(db, []byte("k"), func([]byte) error { return bad }); !found || !errors.Is(err, bad) {
		t.Errorf("decode error: found=%v err=%v, want found and the decode error", found, err)
	}
}
