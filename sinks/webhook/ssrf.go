package webhook

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrBlockedAddress is returned (wrapped) when an endpoint resolves to an
// address the SSRF guard refuses.
var ErrBlockedAddress = errors.New("endpoint address not allowed")

// blockedPrefixes are ranges no customer endpoint may resolve to, beyond
// what netip.Addr's predicates (loopback, private, link-local, multicast,
// unspecified) already catch. IPv4-mapped IPv6 addresses are unmapped
// before the check; NAT64 and 6to4 addresses are checked on the IPv4
// address they embed.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT shared address space
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated), :: and ::1
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo: embeds an obfuscated IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

var (
	nat64Prefix      = netip.MustParsePrefix("64:ff9b::/96")
	nat64LocalPrefix = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFourPrefix  = netip.MustParsePrefix("2002::/16")
)

// checkAddr returns nil if an endpoint may be reached at a.
func checkAddr(a netip.Addr) error {
	if reason := blockedReason(a); reason != "" {
		return fmt.Errorf("%w: %s is %s", ErrBlockedAddress, a, reason)
	}
	return nil
}

func blockedReason(a netip.Addr) string {
	if !a.IsValid() {
		return "invalid"
	}
	a = a.Unmap().WithZone("")
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsMulticast():
		return "multicast"
	case nat64LocalPrefix.Contains(a):
		return "local-use NAT64"
	}
	if nat64Prefix.Contains(a) {
		b := a.As16()
		v4 := netip.AddrFrom4([4]byte(b[12:16]))
		if r := blockedReason(v4); r != "" {
			return "NAT64 of a " + r + " address"
		}
		return ""
	}
	if sixToFourPrefix.Contains(a) {
		b := a.As16()
		v4 := netip.AddrFrom4([4]byte(b[2:6]))
		if r := blockedReason(v4); r != "" {
			return "6to4 of a " + r + " address"
		}
		return ""
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return "reserved (" + p.String() + ")"
		}
	}
	return ""
}
