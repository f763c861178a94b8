package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrBlockedAddress is returned (wrapped) when a host resolves to an address
// the guard refuses to connect to.
var ErrBlockedAddress = errors.New("non-public address refused")

// ResolveError is a failed lookup of a destination's host.
type ResolveError struct {
	Host string
	Err  error // nil when the lookup found no address
}

func (e *ResolveError) Error() string {
	if e.Err == nil {
		return "resolve " + e.Host + ": no addresses"
	}
	return "resolve " + e.Host + ": " + e.Err.Error()
}

func (e *ResolveError) Unwrap() error { return e.Err }

func systemResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// nonPublicRanges are refused beyond what netip.Addr's predicates catch.
var nonPublicRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved and broadcast
	netip.MustParsePrefix("::/96"),          // IPv4-compatible, :: and ::1
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

// Ranges of IPv6 addresses that embed an IPv4 address, judged by it, and
// the byte offset of the IPv4 address.
var embeddingRanges = []struct {
	prefix netip.Prefix
	at     int
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12}, // NAT64
	{netip.MustParsePrefix("2002::/16"), 2},     // 6to4
}

// nonPublic reports why a is not a public unicast address, or "".
func nonPublic(a netip.Addr) string {
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
	}
	for _, r := range embeddingRanges {
		if r.prefix.Contains(a) {
			b := a.As16()
			if why := nonPublic(netip.AddrFrom4([4]byte(b[r.at : r.at+4]))); why != "" {
				return why + " (embedded in " + r.prefix.String() + ")"
			}
			return ""
		}
	}
	for _, p := range nonPublicRanges {
		if p.Contains(a) {
			return "reserved (" + p.String() + ")"
		}
	}
	return ""
}

// guard is the transport's dialer: it resolves the host itself, refuses it
// when any address is non-public (unless allowPrivate), and connects only
// to the addresses it checked, in order. Mixing public and private
// addresses is refused as a whole: it is an attack or a misconfiguration.
type guard struct {
	resolve      ResolveFunc
	allowPrivate bool
	dialer       net.Dialer
}

func (g *guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	addrs, err := g.addrs(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		conn, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// addrs returns the checked addresses of host (a name or an IP literal).
func (g *guard) addrs(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = g.resolve(ctx, host)
		if err != nil {
			return nil, &ResolveError{Host: host, Err: err}
		}
		if len(addrs) == 0 {
			return nil, &ResolveError{Host: host}
		}
	}
	if g.allowPrivate {
		return addrs, nil
	}
	for _, a := range addrs {
		if why := nonPublic(a); why != "" {
			return nil, fmt.Errorf("host %s: %w: %s is %s", host, ErrBlockedAddress, a, why)
		}
	}
	return addrs, nil
}
