package redirect

import (
	"net/netip"
	"strconv"
	"strings"
)

// nonPublicPrefixes are the ranges nonPublic refuses beyond what netip's
// predicates cover.
var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

// Ranges of IPv6 addresses that carry an IPv4 address, checked as that
// IPv4 address: NAT64 (RFC 6052), IPv4-compatible (::a.b.c.d) and 6to4.
var (
	nat64Prefix   = netip.MustParsePrefix("64:ff9b::/96")
	v4CompatPfx   = netip.MustParsePrefix("::/96")
	sixToFourPfx  = netip.MustParsePrefix("2002::/16")
	sixToFourSkip = 2 // the IPv4 address follows the 16-bit 2002: prefix
)

// nonPublic reports whether a is an address a destination must not have:
// unspecified, loopback, private (RFC 1918, fc00::/7), link-local, CGNAT,
// multicast, reserved, or an IPv6 address embedding such an IPv4 address
// (v4-mapped, v4-compatible, NAT64, 6to4).
func nonPublic(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return true
	}
	for _, p := range nonPublicPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64Prefix.Contains(a), v4CompatPfx.Contains(a):
			return nonPublic(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFourPfx.Contains(a):
			return nonPublic(netip.AddrFrom4([4]byte(b[sixToFourSkip : sixToFourSkip+4])))
		}
	}
	return false
}

// parseHostIP tells whether host (as url.URL.Hostname returns it) is an IP
// address literal and, if it is a valid one, which. A host is an IPv4
// literal when its last dot-separated label is a number, as browsers parse
// it (WHATWG URL): so "127.1", "0x7f.0.0.1", "017700000001" and
// "2130706433" are all 127.0.0.1, and would slip past a check that only
// knew the dotted-quad form.
func parseHostIP(host string) (addr netip.Addr, literal, ok bool) {
	if strings.Contains(host, ":") {
		a, err := netip.ParseAddr(host)
		return a, true, err == nil
	}
	parts := strings.Split(host, ".")
	if _, numeric := ipv4Part(parts[len(parts)-1]); !numeric {
		return netip.Addr{}, false, false
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := ipv4Part(p)
		if !ok {
			return netip.Addr{}, true, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, true, false
			}
			v = v<<8 | n
			continue
		}
		rest := uint(8 * (5 - len(parts))) // bits the last part fills
		if n >= 1<<rest {
			return netip.Addr{}, true, false
		}
		v = v<<rest | n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, true
}

// ipv4Part parses one label of an IPv4 literal the WHATWG way: "0x" hex
// (possibly empty), a leading 0 for octal, else decimal.
func ipv4Part(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	for i := 0; i < len(s); i++ { // ParseUint would accept '_' and a sign
		c := s[i] | 0x20
		if !(s[i] >= '0' && s[i] <= '9' || base == 16 && c >= 'a' && c <= 'f') {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil { // out of range: still a number, and not a valid address
		return 1 << 40, true
	}
	return n, true
}
