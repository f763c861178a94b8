package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

func systemResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// checkedKey carries the addresses resolve checked from Deliver to the
// transport's dialer, through the request's context.
type checkedKey struct{}

type checkedAddrs struct {
	host  string
	addrs []netip.Addr
}

// resolve returns the addresses of host (an IP literal or a name), each one
// checked by the SSRF guard unless private addresses are allowed. It
// refuses the host if any address is blocked: a name that mixes public and
// internal addresses is an attack or a misconfiguration either way.
func (d *Deliverer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = d.cfg.Resolve(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
	}
	if d.cfg.AllowPrivate {
		return addrs, nil
	}
	for _, a := range addrs {
		if err := checkAddr(a); err != nil {
			return nil, fmt.Errorf("host %s: %w", host, err)
		}
	}
	return addrs, nil
}

// dialChecked is the transport's DialContext: it connects to the addresses
// resolve checked for this request, in order, and never resolves anything
// itself. A dial without checked addresses for the host is refused.
func dialChecked(dialer *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, portStr, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		c, ok := ctx.Value(checkedKey{}).(*checkedAddrs)
		if !ok || !strings.EqualFold(c.host, host) {
			return nil, fmt.Errorf("dial %s: %w: host not resolved and checked for this request", addr, ErrBlockedAddress)
		}
		port, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("dial %s: bad port: %w", addr, err)
		}
		var errs []error
		for _, a := range c.addrs {
			conn, err := dialer.DialContext(ctx, network, netip.AddrPortFrom(a, uint16(port)).String())
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
}
