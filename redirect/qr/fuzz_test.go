package qr

import (
	"strings"
	"testing"
)

// FuzzEncode feeds arbitrary text to Encode and the renderers: no panic,
// a well-formed symbol, and printable ASCII (what short URLs are made of)
// decoding back to itself.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", "a", "01234567", "HELLO WORLD", "https://go.example.com/spring?qr=1",
		"\xff\xfe", "日本語", strings.Repeat("9", 300), strings.Repeat("Z", 800)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Encode(text)
		if err != nil {
			return
		}
		if c.Version() < 1 || c.Version() > 40 || c.Modules() != 17+4*c.Version() {
			t.Fatalf("version %d with %d modules", c.Version(), c.Modules())
		}
		size := max(MinSize, 2*c.Width())
		img, err := c.PNG(size)
		if err != nil {
			t.Fatalf("PNG(%d): %v", size, err)
		}
		if _, err := c.SVG(size); err != nil {
			t.Fatalf("SVG(%d): %v", size, err)
		}
		if printableASCII(text) {
			if got, _ := decode(t, img); got != text {
				t.Fatalf("decoded %q, want %q", got, text)
			}
		}
	})
}

func printableASCII(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
