// Package netguard decides which IP addresses clicktrail may connect to on a
// customer's behalf (webhook endpoints, link destinations, the destination
// checker, bulk job callbacks): public unicast addresses only (Reason), and
// connects only there (Guard: resolve once, check every address, dial the
// checked ones). One list and one dialer, so that the link API, the webhook
// sink, the checker and the job callbacks cannot disagree about what
// "private" means, nor about how a checked name is dialed.
package netguard

import "net/netip"

// reserved are ranges refused beyond what netip.Addr's predicates
// (unspecified, loopback, private, link-local, multicast) catch.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT shared space (RFC 6598)
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
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
}

// embedding are IPv6 ranges that carry an IPv4 address, judged by it, and
// the byte offset of that address.
var embedding = []struct {
	prefix netip.Prefix
	at     int
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12}, // NAT64 (RFC 6052)
	{netip.MustParsePrefix("2002::/16"), 2},     // 6to4
}

// Reason says why a is not a public unicast address ("loopback",
// "private", "reserved (240.0.0.0/4)", "private (embedded in
// 64:ff9b::/96)", ...), or "" when it is one. IPv4-mapped addresses are
// judged as IPv4, zones are ignored.
func Reason(a netip.Addr) string {
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
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, r := range reserved {
		if r.Contains(a) {
			return "reserved (" + r.String() + ")"
		}
	}
	for _, e := range embedding {
		if e.prefix.Contains(a) {
			b := a.As16()
			if why := Reason(netip.AddrFrom4([4]byte(b[e.at : e.at+4]))); why != "" {
				return why + " (embedded in " + e.prefix.String() + ")"
			}
			return ""
		}
	}
	return ""
}

// Public reports whether a is a public unicast address.
func Public(a netip.Addr) bool { return Reason(a) == "" }
