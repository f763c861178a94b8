package anonip

import (
	"net/netip"
	"strings"
	"testing"
)

func TestTruncateHost(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"203.0.113.7:5123", "203.0.113.0/24"},
		{"203.0.113.7", "203.0.113.0/24"},
		{"[2001:db8:1234:5678::1]:443", "2001:db8:1234::/48"},
		{"2001:db8:1234:5678::1", "2001:db8:1234::/48"},
		{"[::ffff:198.51.100.9]:80", "198.51.100.0/24"},
		{"[fe80::1%eth0]:80", "fe80::/48"},
		{"", ""},
		{"not-an-address:80", ""},
		{"@", ""},
	} {
		if got := TruncateHost(tt.in); got != tt.want {
			t.Errorf("TruncateHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzTruncateHost: whatever the input, the output is empty or a network
// of at most /24 (IPv4) or /48 (IPv6) that contains no more of the input's
// address than that.
func FuzzTruncateHost(f *testing.F) {
	for _, s := range []string{"203.0.113.7:5123", "[2001:db8::1]:443", "::ffff:1.2.3.4", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := TruncateHost(in)
		if out == "" {
			return
		}
		p, err := netip.ParsePrefix(out)
		if err != nil {
			t.Fatalf("TruncateHost(%q) = %q: not a prefix", in, out)
		}
		if (p.Addr().Is4() && p.Bits() != IPv4Bits) || (p.Addr().Is6() && p.Bits() != IPv6Bits) || p.Masked() != p {
			t.Fatalf("TruncateHost(%q) = %q: not a masked /24 or /48", in, out)
		}
		if strings.Contains(out, "%") {
			t.Fatalf("TruncateHost(%q) = %q keeps a zone", in, out)
		}
	})
}
