package templates

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestLooksLikeEmail(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want bool
	}{
		{"contact id", "hs_42", false},
		{"token", "tok_8vrUIlgAnVmdheCa", false},
		{"text with spaces", "spring sale", false},
		{"percent sign alone", "50% off", false},
		{"bad escape", "100%zz", false},
		{"accented", "Jürgen", false},
		{"plain", "alice@example.com", true},
		{"bare at", "@", true},
		{"percent-encoded", "alice%40example.com", true},
		{"lower-case hex", "alice%40example.com", true},
		{"double-encoded", "alice%2540example.com", true},
		{"triple-encoded", "alice%252540example.com", true},
		{"full-width at", "alice＠example.com", true},
		{"small commercial at", "alice﹫example.com", true},
		{"full-width percent", "alice％40example.com", true},
		{"encoded full-width at", url.QueryEscape("alice＠example.com"), true},
		{"escape after bad escape", "%zz%40", true},
		{"trailing percent", "alice%40example.com%", true},
		{"too deep to unfold", strings.Repeat("%25", 9) + "40", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := LooksLikeEmail(tc.in); got != tc.want {
				t.Errorf("LooksLikeEmail(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidateValuesDecodesAndNormalizes(t *testing.T) {
	for _, v := range []string{"alice%40example.com", "alice＠example.com", "alice%2540example.com"} {
		if fe := ValidateValues(map[string]string{"c": v}); fe == nil || fe.Field != "values.c" {
			t.Errorf("ValidateValues(%q) = %v, want an error on values.c", v, fe)
		}
	}
	if fe := CheckContactID(map[string]string{"contact_id": "alice%40example.com"}); fe == nil || fe.Field != "metadata.contact_id" {
		t.Errorf("CheckContactID: %v, want an error on metadata.contact_id", fe)
	}
	if fe := CheckContactID(map[string]string{"contact_id": "hs_42", "owner": "x"}); fe != nil {
		t.Errorf("CheckContactID of an id: %v", fe)
	}
}

// FuzzLooksLikeEmail checks that what the guard lets through yields no '@'
// under the decodings a receiver may apply: percent-decoding (as a path or
// a query, once or twice) and Unicode normalization, in either order; and
// that an '@' stays caught however it is escaped once.
func FuzzLooksLikeEmail(f *testing.F) {
	for _, s := range []string{"hs_42", "alice@example.com", "alice%40example.com", "alice＠example.com",
		"alice%2540example.com", "a％40b", "%%40", "%4", "50% off"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "@") || strings.Contains(norm.NFKC.String(s), "@") {
			if !LooksLikeEmail(s) {
				t.Fatalf("%q holds an @ and passed", s)
			}
			for _, esc := range []string{url.QueryEscape(s), url.PathEscape(s)} {
				if !LooksLikeEmail(esc) {
					t.Fatalf("%q (escaped once from %q) passed", esc, s)
				}
			}
		}
		if LooksLikeEmail(s) {
			return
		}
		decodings := []func(string) string{
			func(v string) string { d, _ := url.PathUnescape(v); return d },
			func(v string) string { d, _ := url.QueryUnescape(v); return d },
			norm.NFKC.String, norm.NFKD.String, percentDecode,
		}
		for i, d1 := range decodings {
			for j, d2 := range decodings {
				if out := d2(d1(s)); strings.Contains(out, "@") {
					t.Fatalf("%q passed, but decodings %d then %d give %q", s, i, j, out)
				}
			}
		}
	})
}
