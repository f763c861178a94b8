package pebblekv

import (
	"bytes"
	"testing"
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
