package netguard

import (
	"net/netip"
	"testing"
)

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"93.184.216.34", true},
		{"2606:2800:220:1:248:1893:25c8:1946", true},
		{"127.0.0.1", false}, {"::1", false}, {"::", false}, {"0.0.0.0", false},
		{"10.0.0.1", false}, {"172.16.5.4", false}, {"192.168.1.1", false}, {"fc00::1", false},
		{"169.254.169.254", false}, {"fe80::1%eth0", false},
		{"100.64.0.1", false}, {"192.0.0.8", false}, {"198.18.0.1", false}, {"240.0.0.1", false}, {"255.255.255.255", false},
		{"192.0.2.1", false}, {"198.51.100.7", false}, {"203.0.113.9", false}, {"2001:db8::1", false},
		{"224.0.0.1", false}, {"ff02::1", false},
		{"::ffff:127.0.0.1", false}, {"::ffff:93.184.216.34", true},
		{"::127.0.0.1", false},
		{"64:ff9b::7f00:1", false}, {"64:ff9b::5db8:d822", true}, {"64:ff9b:1::1", false},
		{"2002:7f00:1::1", false}, {"2002:5db8:d822::1", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", false},
		{"fec0::1", false}, {"100::1", false},
		// The edges of each refused range, and public addresses next to them.
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"172.15.255.255", true},
		{"100.63.255.255", true},
		{"2606:4700:4700::1111", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true},  // NAT64 of 8.8.8.8
		{"2002:808:808::1", true},   // 6to4 of 8.8.8.8
		{"127.0.0.1", false},        // loopback
		{"127.255.255.254", false},  // loopback
		{"10.0.0.1", false},         // private
		{"172.16.0.1", false},       // private
		{"192.168.1.1", false},      // private
		{"169.254.169.254", false},  // link-local: cloud metadata
		{"100.64.0.1", false},       // CGNAT
		{"100.127.255.255", false},  // CGNAT
		{"0.0.0.0", false},          // unspecified
		{"0.1.2.3", false},          // this network
		{"224.0.0.1", false},        // multicast
		{"239.255.255.250", false},  // multicast
		{"255.255.255.255", false},  // broadcast
		{"240.0.0.1", false},        // reserved
		{"192.0.0.8", false},        // IETF protocol assignments
		{"198.18.0.1", false},       // benchmarking
		{"::", false},               // unspecified
		{"::1", false},              // loopback
		{"fe80::1", false},          // link-local
		{"fe80::1%eth0", false},     // link-local with zone
		{"fc00::1", false},          // unique local
		{"fd12:3456::1", false},     // unique local
		{"ff02::1", false},          // multicast
		{"fec0::1", false},          // site-local
		{"::ffff:127.0.0.1", false}, // IPv4-mapped loopback
		{"::ffff:169.254.169.254", false},
		{"::ffff:10.0.0.1", false},
		{"::127.0.0.1", false},         // IPv4-compatible
		{"64:ff9b::a00:1", false},      // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", false},     // NAT64 of 127.0.0.1
		{"64:ff9b:1::1", false},        // local-use NAT64
		{"2002:a9fe:a9fe::1", false},   // 6to4 of 169.254.169.254
		{"2001:0:4136:e378::1", false}, // Teredo
		{"2001:db8::1", false},         // documentation
	} {
		a := netip.MustParseAddr(tc.addr)
		if got := Public(a); got != tc.public {
			t.Errorf("%s: public %v (%q), want %v", tc.addr, got, Reason(a), tc.public)
		}
	}
	if Public(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

func FuzzReason(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1})
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		// A mapped address is judged as its IPv4 address.
		if a.Is4In6() && Public(a) != Public(a.Unmap()) {
			t.Fatalf("%s and %s disagree", a, a.Unmap())
		}
		if Public(a) && (a.IsLoopback() || a.IsPrivate() || a.Unmap().IsLoopback() || a.Unmap().IsPrivate()) {
			t.Fatalf("%s is public", a)
		}
	})
}

func BenchmarkReason(b *testing.B) {
	addrs := []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("2606:2800:220:1::1"), netip.MustParseAddr("::ffff:10.0.0.1")}
	for b.Loop() {
		for _, a := range addrs {
			_ = Reason(a)
		}
	}
}
