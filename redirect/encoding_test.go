package redirect

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
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

// TestEncodeLinkFast checks encodeLinkFast against encodeLink, byte for
// byte, on links that take the fast path and on links that do not.
func TestEncodeLinkFast(t *testing.T) {
	at := time.Date(2027, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", -7*3600))
	for _, tc := range []struct {
		name   string
		mutate func(*Link)
	}{
		{"test link", func(*Link) {}},
		{"bare", func(l *Link) { l.UTM, l.Tags, l.Metadata = schemas.UTM{}, nil, nil }},
		{"every optional field", func(l *Link) {
			l.Disabled, l.DeletedAt, l.ExternalID, l.ExpiresAt, l.ExpiredURL = true, &at, "sku-1", &at, "https://x.example/gone"
			l.ExpiredRedirect, l.TrackConversions, l.RedirectCode = true, true, 307
			l.UTM = schemas.UTM{Term: "t", Content: "c"}
			l.Metadata = map[string]string{"z": "1", "a": "<2>", "m": "\u2028"}
			l.Tags = []string{"a", "b&c", ""}
		}},
		{"variants", func(l *Link) {
			l.Variants = []Variant{{DestinationURL: "https://a.example/", Weight: 1}}
		}},
		{"rules", func(l *Link) {
			l.Rules = []Rule{{ID: "r1", DestinationURL: "https://m.example/", Devices: []string{"mobile"}}}
		}},
		{"year 10000", func(l *Link) { l.UpdatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := testLink("p/1")
			tc.mutate(l)
			checkEncodeLinkFast(t, l)
		})
	}
}

func checkEncodeLinkFast(t *testing.T, l *Link) {
	t.Helper()
	want, werr := encodeLink(l)
	got, err := encodeLinkFast(l)
	if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("encodeLinkFast = %q, %v\nencodeLink     = %q, %v", got, err, want, werr)
	}
}

// FuzzEncodeLinkFast checks encodeLinkFast against encodeLink on links
// made of any strings, times and flags.
func FuzzEncodeLinkFast(f *testing.F) {
	f.Add("lnk_x", "go.example", "p/1", "https://a.example/?q=<1>", "email", "tag", "k", "v", int64(1795000000123456789), 3600, 302, uint8(0))
	f.Add("", "", "", "\xff", "", "", "", "", int64(-62135596800000000), -86400, 0, uint8(255))
	f.Fuzz(func(t *testing.T, id, domain, path, dest, medium, tag, mk, mv string, nanos int64, offset, code int, flags uint8) {
		at := time.Unix(0, nanos).In(time.FixedZone("z", offset%(48*3600)))
		l := &Link{ID: id, WorkspaceID: domain, Domain: domain, Path: path, DestinationURL: dest,
			UTM: schemas.UTM{Medium: medium, Source: tag}, CreatedAt: at, UpdatedAt: at.UTC(), RedirectCode: code,
			Disabled: flags&1 != 0, ExpiredRedirect: flags&2 != 0, TrackConversions: flags&4 != 0, ExternalID: mk, ExpiredURL: mv}
		if flags&8 != 0 {
			l.Tags = []string{tag, mk}
		}
		if flags&16 != 0 {
			l.Metadata = map[string]string{mk: mv, tag: medium}
		}
		if flags&32 != 0 {
			l.ExpiresAt = &at
		}
		if flags&64 != 0 {
			l.DeletedAt = &at
		}
		checkEncodeLinkFast(t, l)
	})
}

func BenchmarkEncodeLink(b *testing.B) {
	l := testLink("bench/1")
	for _, bc := range []struct {
		name   string
		encode func(*Link) ([]byte, error)
	}{{"json", encodeLink}, {"fast", encodeLinkFast}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.encode(l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
