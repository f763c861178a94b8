package webhook

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "ok", 10, "ok"},
		{"newlines and escapes", "a\r\nb\x1b[2Jc\x00", 20, "a  b [2Jc "},
		{"invalid UTF-8", "a\xffb", 10, "a\uFFFDb"},
		{"cut at max", "abcdef", 3, "abc"},
		{"never splits a rune", "aé", 2, "a"},
		{"C1 control", "a\u0085b", 10, "a b"},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sanitize([]byte(tt.in), tt.max); got != tt.want {
				t.Fatalf("sanitize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add([]byte("line\nnext\x1b\xff"), 16)
	f.Add([]byte(strings.Repeat("é", 600)), MaxResponseSnippet)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		if max < 0 || max > 4*MaxResponseSnippet {
			return
		}
		s := sanitize(b, max)
		if len(s) > max || !utf8.ValidString(s) {
			t.Fatalf("sanitize gave %d bytes (max %d), valid %v", len(s), max, utf8.ValidString(s))
		}
		for _, r := range s {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U kept", r)
			}
		}
	})
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{
		OutcomeRetry: "retry", OutcomeDelivered: "delivered", OutcomeDisable: "disable",
		OutcomeFailed: "failed", Outcome(9): "Outcome(9)",
	} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(o), got, want)
		}
	}
}
