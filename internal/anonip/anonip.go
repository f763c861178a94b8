// Package anonip is clicktrail's one rule for keeping an address without
// keeping a person: an IPv4 address is cut to its /24, an IPv6 address to
// its /48 (the prefix a site or an ISP's customer is given, not a device).
//
// enrich truncates visitors' addresses with it (after geolocating with the
// full address), and the link API records callers' addresses in the audit
// log and in bulk-job records only through it. Nothing else in clicktrail
// stores an address.
package anonip

import (
	"net"
	"net/netip"
)

// Prefix lengths kept of an address.
const (
	IPv4Bits = 24
	IPv6Bits = 48
)

// Truncate returns the network of a (IPv4 /24, IPv6 /48). An IPv4-mapped
// IPv6 address is truncated as IPv4, and a zone is dropped.
func Truncate(a netip.Addr) netip.Prefix {
	a = a.Unmap().WithZone("")
	bits := IPv6Bits
	if a.Is4() {
		bits = IPv4Bits
	}
	p, _ := a.Prefix(bits) // cannot fail: bits is within range for the family
	return p
}

// TruncateHost truncates the address in hostport ("203.0.113.7:5123",
// "[2001:db8::1]:443") or a bare address, and returns it in CIDR form
// ("203.0.113.0/24"). What is not an address gives "": a caller never
// stores an input it could not truncate.
func TruncateHost(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return Truncate(a).String()
}
