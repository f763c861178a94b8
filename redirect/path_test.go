package redirect

import (
	"strings"
	"testing"
)

func TestValidatePath(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		ok         bool
	}{
		{"simple", "spring", true},
		{"all allowed characters", "Az09._~-", true},
		{"nested", "emea/spring-26/a.b", true},
		{"max length", strings.Repeat("a", MaxPathLen), true},
		{"empty", "", false},
		{"too long", strings.Repeat("a", MaxPathLen+1), false},
		{"leading slash", "/spring", false},
		{"trailing slash", "spring/", false},
		{"empty segment", "a//b", false},
		{"dot segment", "a/./b", false},
		{"dot-dot segment", "a/../b", false},
		{"lone dot-dot", "..", false},
		{"space", "a b", false},
		{"percent", "a%20b", false},
		{"query mark", "a?b", false},
		{"non-ASCII", "caf\u00e9", false},
		{"reserved", "healthz", false},
		{"dots inside a segment", "a..b", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidatePath(tc.path); (err == nil) != tc.ok {
				t.Fatalf("ValidatePath(%q) = %v, want ok=%v", tc.path, err, tc.ok)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		name, escaped, want string
		ok                  bool
	}{
		{"plain", "/spring", "spring", true},
		{"nested", "/a/b", "a/b", true},
		{"one trailing slash is stripped", "/spring/", "spring", true},
		{"two trailing slashes are not", "/spring//", "", false},
		{"escaped unreserved is decoded", "/spr%69ng%7E", "spring~", true},
		{"lower-case hex", "/a%2db", "a-b", true},
		{"escaped slash is refused", "/a%2Fb", "", false},
		{"escaped space is refused", "/a%20b", "", false},
		{"bad escape", "/a%zz", "", false},
		{"truncated escape", "/a%4", "", false},
		{"root", "/", "", false},
		{"empty", "", "", false},
		{"no leading slash", "spring", "", false},
		{"double leading slash", "//spring", "", false},
		{"dot-dot", "/a/../b", "", false},
		{"case kept", "/Spring", "Spring", true},
		{"healthz is not a link", "/healthz", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParsePath(tc.escaped)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("ParsePath(%q) = %q, %v; want %q, %v", tc.escaped, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"/spring", "/a/b/", "/a%2Fb", "/%41%", "//", "/a/../b", "/" + strings.Repeat("%61", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, escaped string) {
		p, ok := ParsePath(escaped)
		if !ok {
			return
		}
		if err := ValidatePath(p); err != nil {
			t.Fatalf("ParsePath(%q) = %q, which is invalid: %v", escaped, p, err)
		}
		// A valid path needs no escaping, so it parses back to itself.
		if q, ok := ParsePath("/" + p); !ok || q != p {
			t.Fatalf("ParsePath(/%s) = %q, %v; want it back", p, q, ok)
		}
	})
}
