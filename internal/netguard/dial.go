package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrNotPublic is wrapped by the errors of a Guard that refuses a host
// because one of its addresses is not public.
var ErrNotPublic = errors.New("address is not public")

// ResolveFunc returns the addresses of a host name.
type ResolveFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// SystemResolve is the operating system's resolver, as a ResolveFunc.
func SystemResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// ResolveError is a failed lookup of a host name.
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

// Guard connects to customers' hosts (webhook endpoints, link destinations,
// job callbacks) only at public addresses. It resolves a host itself,
// refuses it when any address is not public, and dials exactly the
// addresses it checked: nothing resolves the name a second time, so DNS
// rebinding between the check and the connection cannot get around it.
// A name that mixes public and internal addresses is refused as a whole: it
// is an attack or a misconfiguration either way.
//
// The zero value uses the system resolver and a zero net.Dialer. A Guard
// must not be copied after first use; it is safe for concurrent use.
type Guard struct {
	Resolve      ResolveFunc // nil: SystemResolve
	AllowPrivate bool        // skip the address check (development, tests)
	Dialer       net.Dialer  // timeouts and keep-alive of every connection
}

// Addrs returns the addresses of host, a name or an IP literal, checked.
// A failed lookup is a *ResolveError; a refused host wraps ErrNotPublic and
// names the address and why ("host a.example: address is not public:
// 10.0.0.1 is private").
func (g *Guard) Addrs(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		resolve := g.Resolve
		if resolve == nil {
			resolve = SystemResolve
		}
		addrs, err = resolve(ctx, host)
		if err != nil {
			return nil, &ResolveError{Host: host, Err: err}
		}
		if len(addrs) == 0 {
			return nil, &ResolveError{Host: host}
		}
	}
	if g.AllowPrivate {
		return addrs, nil
	}
	for _, a := range addrs {
		if why := Reason(a); why != "" {
			return nil, fmt.Errorf("host %s: %w: %s is %s", host, ErrNotPublic, a, why)
		}
	}
	return addrs, nil
}

// DialAddrs connects to port at the first of addrs that answers, in order,
// and returns every attempt's error when none does. The addresses are
// dialed as given: check them with Addrs.
func (g *Guard) DialAddrs(ctx context.Context, network string, addrs []netip.Addr, port string) (net.Conn, error) {
	var errs []error
	for _, a := range addrs {
		conn, err := g.Dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return nil, errors.New("dial: no addresses")
	}
	return nil, errors.Join(errs...)
}

// DialContext resolves and checks the host of addr ("host:port") with Addrs
// and dials the checked addresses: an http.Transport's DialContext that can
// only reach public addresses.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	addrs, err := g.Addrs(ctx, host)
	if err != nil {
		return nil, err
	}
	return g.DialAddrs(ctx, network, addrs, port)
}
