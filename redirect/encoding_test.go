package redirect

import (
	"reflect"
	"testing"
)

func TestLinkEncodingRoundTrip(t *testing.T) {
	l := testLink("a/b")
	v, err := encodeLink(l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeLink(v)
	if err != nil || !reflect.DeepEqual(got, l) {
		t.Fatalf("decodeLink = %+v, %v; want %+v", got, err, l)
	}
	for _, tc := range []struct {
		name string
		v    []byte
	}{
		{"empty", nil},
		{"unknown format", append([]byte{9}, v[1:]...)},
		{"truncated JSON", v[:len(v)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeLink(tc.v); err == nil {
				t.Fatal("decoded a corrupt value")
			}
		})
	}
}

func TestRecordKeyRoundTrip(t *testing.T) {
	rk := recordKey(testDomain, "a/b/c")
	if string(rk) != "r/go.example.com/a/b/c" {
		t.Fatalf("recordKey = %q", rk)
	}
	d, p, ok := splitRecordKey(rk)
	if !ok || d != testDomain || p != "a/b/c" {
		t.Fatalf("splitRecordKey = %q, %q, %v", d, p, ok)
	}
	if _, _, ok := splitRecordKey([]byte("i/lnk_x")); ok {
		t.Fatal("split an index key")
	}
}
