package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// checkedKey carries the addresses Deliver checked to the transport's
// dialer, through the request's context.
type checkedKey struct{}

type checkedAddrs struct {
	host  string
	addrs []netip.Addr
}

// dialChecked is the transport's DialContext: it connects to the addresses
// Deliver checked for this request (g.Addrs), in order, and never resolves
// anything itself. A dial without checked addresses for the host is
// refused.
func dialChecked(g *netguard.Guard) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		c, ok := ctx.Value(checkedKey{}).(*checkedAddrs)
		if !ok || !strings.EqualFold(c.host, host) {
			return nil, fmt.Errorf("dial %s: %w: host not resolved and checked for this request", addr, ErrBlockedAddress)
		}
		return g.DialAddrs(ctx, network, c.addrs, port)
	}
}
