package enrich

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/clicktrail/clicktrail/internal/anonip"
)

// parseIP parses a visitor address: IPv4-mapped IPv6 is unmapped to IPv4 and
// an IPv6 zone is dropped. The error never echoes s: it may be an address.
func parseIP(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, errors.New("field ip: required")
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("field ip: not an IP address (%d bytes)", len(s))
	}
	return a.Unmap().WithZone(""), nil
}

// truncate returns the network of a (IPv4 /24, IPv6 /48) in CIDR form.
func truncate(a netip.Addr) string { return anonip.Truncate(a).String() }
