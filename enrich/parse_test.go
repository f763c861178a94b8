package enrich

import (
	"strings"
	"testing"
)

func TestReferrerHost(t *testing.T) {
	tests := []struct {
		name, referer, want string
	}{
		{"empty", "", ""},
		{"https url", "https://www.Google.com/search?q=x", "www.google.com"},
		{"port and userinfo dropped", "http://user:pass@News.Example.ORG:8080/a", "news.example.org"},
		{"ipv6 literal", "http://[2001:DB8::1]:443/", "2001:db8::1"},
		{"trailing dot", "https://example.com./", "example.com"},
		{"android app", "android-app://com.google.android.gm/", "com.google.android.gm"},
		{"idn", "https://bücher.de/", "bücher.de"},
		{"relative", "/just/a/path", ""},
		{"no scheme", "example.com/path", ""},
		{"scheme-relative", "//example.com/path", ""},
		{"invalid utf-8 host", "http://\xdf\xdf.com/", ""},
		{"upper-case idn keeps its letters", "https://BÜCHER.de/", "bÜcher.de"},
		{"garbage", "ht tp://%zz", ""},
		{"space in host", "http://exa mple.com/", ""},
		{"bad characters in host", "http://exa*mple.com/", ""},
		{"host too long", "http://" + strings.Repeat("a", 254) + "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReferrerHost(tt.referer); got != tt.want {
				t.Errorf("ReferrerHost(%q) = %q, want %q", tt.referer, got, tt.want)
			}
		})
	}
}

func TestPrimaryLanguage(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"empty", "", ""},
		{"single tag", "en-US", "en"},
		{"upper case", "DE-de", "de"},
		{"first of equal q", "fr-CH, fr;q=0.9, en;q=0.8", "fr"},
		{"highest q wins", "en;q=0.5, de;q=0.9, fr;q=0.7", "de"},
		{"no q beats q below 1", "en;q=0.9, pt-BR", "pt"},
		{"tie keeps the first", "es;q=0.8, it;q=0.8", "es"},
		{"wildcard skipped", "*, ja;q=0.5", "ja"},
		{"q zero skipped", "en;q=0, nl;q=0.1", "nl"},
		{"malformed q skipped", "en;q=abc, sv;q=0.3", "sv"},
		{"NaN q skipped", "en;q=NaN, sv;q=0.3", "sv"},
		{"q above one skipped", "en;q=2, sv;q=0.3", "sv"},
		{"spaces", "  zh-Hant-TW ;q=0.9 ,  ko ; q=0.2", "zh"},
		{"digits are not a language", "123, en", "en"},
		{"primary subtag too long", "abcdefghi-x, en", "en"},
		{"only garbage", ";;,,", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PrimaryLanguage(tt.header); got != tt.want {
				t.Errorf("PrimaryLanguage(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func FuzzReferrerHost(f *testing.F) {
	f.Add("https://www.google.com/search?q=x")
	f.Add("http://user@[::1]:80/")
	f.Add("")
	f.Add("%")
	f.Fuzz(func(t *testing.T, referer string) {
		h := ReferrerHost(referer)
		if len(h) > maxHostLen {
			t.Fatalf("host of %d bytes", len(h))
		}
		if h != lowerASCII(h) {
			t.Fatalf("host %q not lower case", h)
		}
		if strings.ContainsAny(h, "/@ ?#") {
			t.Fatalf("host %q holds URL syntax", h)
		}
		if h != "" && !strings.Contains(strings.ToLower(referer), strings.TrimSuffix(h, ".")) {
			// The host comes from the referer (modulo percent-decoding).
			if !strings.Contains(referer, "%") {
				t.Fatalf("host %q not found in referer %q", h, referer)
			}
		}
	})
}

func FuzzAcceptLanguage(f *testing.F) {
	f.Add("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")
	f.Add("")
	f.Add("en;q=1e400")
	f.Fuzz(func(t *testing.T, header string) {
		got := PrimaryLanguage(header)
		if got == "" {
			return
		}
		if !isAlpha(got, 1, 8) || got != strings.ToLower(got) {
			t.Fatalf("PrimaryLanguage(%q) = %q: not a lowercase primary subtag", header, got)
		}
	})
}
