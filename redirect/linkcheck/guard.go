package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/clicktrail/clicktrail/internal/netguard"
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

// nonPublic reports why a is not a public unicast address, or "" (see
// internal/netguard).
func nonPublic(a netip.Addr) string { return netguard.Reason(a) }

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
