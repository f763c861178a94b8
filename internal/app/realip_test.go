package app

import (
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	for _, tc := range []struct {
		name   string
		remote string
		xff    []string
		want   string // "" = keep the peer address
	}{
		{"untrusted peer ignores header", "203.0.113.9:5555", []string{"198.51.100.1"}, ""},
		{"trusted peer, one hop", "10.1.2.3:5555", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left part ignored", "10.1.2.3:5555", []string{"1.2.3.4, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"several headers", "127.0.0.1:1", []string{"1.2.3.4", "198.51.100.7"}, "198.51.100.7"},
		{"ipv6 client", "127.0.0.1:1", []string{"2001:db8::1"}, "2001:db8::1"},
		{"mapped v4", "127.0.0.1:1", []string{"::ffff:198.51.100.2"}, "198.51.100.2"},
		{"garbage", "127.0.0.1:1", []string{"not-an-ip"}, ""},
		{"only trusted hops", "127.0.0.1:1", []string{"10.0.0.1"}, ""},
		{"no header", "127.0.0.1:1", nil, ""},
		{"bad remote", "nonsense", []string{"198.51.100.1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := clientAddr(tc.remote, tc.xff, trusted)
			if tc.want == "" {
				if ok {
					t.Fatalf("got %v, want the peer address kept", got)
				}
				return
			}
			if !ok || got.String() != tc.want {
				t.Fatalf("got %v (%v), want %s", got, ok, tc.want)
			}
		})
	}
}

func FuzzClientAddr(f *testing.F) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	f.Add("127.0.0.1:80", "1.2.3.4, 5.6.7.8")
	f.Add("[::1]:80", "2001:db8::1")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		a, ok := clientAddr(remote, []string{xff}, trusted)
		if ok && (!a.IsValid() || isTrusted(a, trusted)) {
			t.Fatalf("returned %v", a)
		}
	})
}
