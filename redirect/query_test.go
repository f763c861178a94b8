package redirect

import (
	"net/url"
	"strings"
	"testing"
)

func TestMergeQuery(t *testing.T) {
	const base = "https://d.example/p?a=1&utm_source=link&b=2#frag"
	for _, tc := range []struct {
		name, base, incoming, clickID string
		want                          string
		qr                            bool
	}{
		{"nothing to merge", base, "", "", base, false},
		{"incoming added after", base, "c=3", "", "https://d.example/p?a=1&utm_source=link&b=2&c=3#frag", false},
		{"incoming wins over destination", base, "a=9", "", "https://d.example/p?utm_source=link&b=2&a=9#frag", false},
		{"incoming wins over UTM", base, "utm_source=fb", "", "https://d.example/p?a=1&b=2&utm_source=fb#frag", false},
		{"escaped key overrides", base, "%61=9", "", "https://d.example/p?utm_source=link&b=2&%61=9#frag", false},
		{"repeated incoming key kept", base, "c=1&c=2", "", "https://d.example/p?a=1&utm_source=link&b=2&c=1&c=2#frag", false},
		{"qr consumed", base, "qr=1", "", base, true},
		{"qr with other value consumed, not a scan", base, "qr=yes&c=3", "", "https://d.example/p?a=1&utm_source=link&b=2&c=3#frag", false},
		{"incoming click id dropped", base, "ct_click=forged&c=3", "", "https://d.example/p?a=1&utm_source=link&b=2&c=3#frag", false},
		{"click id appended", base, "qr=1", "E1", "https://d.example/p?a=1&utm_source=link&b=2&ct_click=E1#frag", true},
		{"click id replaces the destination's", "https://d.example/p?ct_click=old&a=1", "", "E1", "https://d.example/p?a=1&ct_click=E1", false},
		{"destination without query", "https://d.example/p", "c=3", "", "https://d.example/p?c=3", false},
		{"deep link", "myapp://item/42", "c=3", "E1", "myapp://item/42?c=3&ct_click=E1", false},
		{"unsafe bytes escaped", base, "c=<x>\"y\"&d=%zz&e=%41;f", "", `https://d.example/p?a=1&utm_source=link&b=2&c=%3Cx%3E%22y%22&d=%25zz&e=%41%3Bf#frag`, false},
		{"empty parts skipped", base, "&&c=3&", "", "https://d.example/p?a=1&utm_source=link&b=2&c=3#frag", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := newTarget(tc.base)
			q := scanQuery(tc.incoming, DefaultClickIDParam)
			got := tc.base
			if q.forward || tc.clickID != "" {
				got = tg.merge(q, DefaultClickIDParam, tc.clickID)
			}
			if got != tc.want || q.qr != tc.qr {
				t.Errorf("got %q qr=%v\nwant %q qr=%v", got, q.qr, tc.want, tc.qr)
			}
		})
	}
}

func TestMergeQueryBounds(t *testing.T) {
	tg := newTarget("https://d.example/p")
	var in strings.Builder
	for range 1000 {
		in.WriteString("k=v&")
	}
	got := tg.merge(scanQuery(in.String(), DefaultClickIDParam), DefaultClickIDParam, "")
	if n := strings.Count(got, "k=v"); n != maxForwardedParts {
		t.Errorf("forwarded %d parts, want %d", n, maxForwardedParts)
	}
	long := "k=" + strings.Repeat("x", MaxForwardedQuery)
	got = tg.merge(scanQuery("a=1&"+long+"&b=2", DefaultClickIDParam), DefaultClickIDParam, "")
	if got != "https://d.example/p?a=1" {
		t.Errorf("over-long query gave %.100q", got)
	}
}

// FuzzMergeQuery checks the merge of any incoming query into a fixed
// destination: the result is a URL whose query parses, the reserved
// parameters are never forwarded, the destination's parameters survive
// unless the incoming query sets them, and the fragment stays last.
func FuzzMergeQuery(f *testing.F) {
	for _, s := range []string{"", "a=9", "qr=1", "ct_click=x&c=3", "%61=1&%zz=2", "c=<>\"&;", "&&", "a", "=", "%", "é=ü"} {
		f.Add(s, true)
	}
	tg := newTarget("https://d.example/p?a=1&utm_source=link&b=2#frag")
	f.Fuzz(func(t *testing.T, incoming string, track bool) {
		q := scanQuery(incoming, DefaultClickIDParam)
		clickID := ""
		if track {
			clickID = "0193e1c2-7d3a-7b4e-9f00-000000000001"
		}
		got := tg.merge(q, DefaultClickIDParam, clickID)
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("merge gave %q, not a URL: %v", got, err)
		}
		vals, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			t.Fatalf("merge gave query %q that does not parse: %v", u.RawQuery, err)
		}
		if u.Fragment != "frag" || u.Host != "d.example" || u.Path != "/p" {
			t.Fatalf("merge gave %q: destination changed", got)
		}
		if vals.Has(QRParam) {
			t.Fatalf("merge forwarded %s: %q", QRParam, got)
		}
		if cv := vals[DefaultClickIDParam]; track && (len(cv) != 1 || cv[0] != clickID) || !track && len(cv) != 0 {
			t.Fatalf("click id values %q in %q", cv, got)
		}
		if len(u.RawQuery) > len("a=1&utm_source=link&b=2")+3*MaxForwardedQuery+64 {
			t.Fatalf("query of %d bytes", len(u.RawQuery))
		}
		for _, k := range []string{"a", "utm_source", "b"} {
			if !forwards(incoming, DefaultClickIDParam, k) && !vals.Has(k) {
				t.Fatalf("destination parameter %s lost in %q", k, got)
			}
		}
	})
}

// forwards reports whether raw forwards a part with the given key.
func forwards(raw, clickParam, key string) bool {
	s := forwardScanner{rest: raw, clickParam: clickParam}
	for {
		_, k, ok := s.next()
		if !ok {
			return false
		}
		if k == key {
			return true
		}
	}
}

func BenchmarkMergeQuery(b *testing.B) {
	tg := newTarget("https://shop.example.org/spring?ref=mail&utm_source=newsletter&utm_medium=email")
	q := scanQuery("gclid=abc123&qr=1&utm_medium=sms", DefaultClickIDParam)
	b.ReportAllocs()
	for b.Loop() {
		tg.merge(q, DefaultClickIDParam, "0193e1c2-7d3a-7b4e-9f00-000000000001")
	}
}

// FuzzQueryKey: queryKey decodes exactly as url.QueryUnescape does, and
// keeps a key with a bad escape as it is.
func FuzzQueryKey(f *testing.F) {
	for _, s := range []string{"utm_source=x", "a+b=1", "%71r=1", "%7=1", "%zz", "ct%5Fclick", "k", "=v", "%", "a%2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, part string) {
		key, _, _ := strings.Cut(part, "=")
		want, err := url.QueryUnescape(key)
		if err != nil {
			want = key
		}
		if got := queryKey(part); got != want {
			t.Fatalf("queryKey(%q) = %q, want %q", part, got, want)
		}
	})
}
