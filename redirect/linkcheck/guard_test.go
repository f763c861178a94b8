package linkcheck

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

func TestNonPublic(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"93.184.216.34", true},
		{"2606:2800:220:1:248:1893:25c8:1946", true},
		{"127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"255.255.255.255", false},
		{"::1", false},
		{"::", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"ff02::1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::a00:1", false},  // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"2002:7f00:1::", false},   // 6to4 of 127.0.0.1
		{"fe80::1%eth0", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			why := nonPublic(netip.MustParseAddr(tc.addr))
			if (why == "") != tc.public {
				t.Fatalf("nonPublic(%s) = %q, want public=%v", tc.addr, why, tc.public)
			}
		})
	}
}

func TestGuardRefusesBeforeDialing(t *testing.T) {
	g := &guard{resolve: func(context.Context, string) ([]netip.Addr, error) {
		// A rebinding name: one public and one private address.
		return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("169.254.169.254")}, nil
	}}
	_, err := g.DialContext(context.Background(), "tcp", "rebind.example:80")
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("DialContext = %v, want ErrBlockedAddress", err)
	}
	var re *ResolveError
	g.resolve = func(context.Context, string) ([]netip.Addr, error) { return nil, nil }
	if _, err := g.DialContext(context.Background(), "tcp", "empty.example:80"); !errors.As(err, &re) {
		t.Fatalf("DialContext without addresses = %v, want a *ResolveError", err)
	}
}
