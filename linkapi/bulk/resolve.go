package bulk

import (
	"context"
	"net"
	"net/netip"
	"sync"
)

// resolveMemo remembers the answers of a DestinationPolicy.Resolve for the
// life of one bulk job: a job of 100,000 links to one shop looks its host up
// once, not 100,000 times. Errors are remembered too (the policy takes them
// as "does not resolve"). A job runs for seconds to minutes, well within
// what a DNS answer may be cached for; the check is a guard at write time
// anyway (see DestinationPolicy).
type resolveMemo struct {
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)

	mu      sync.Mutex
	answers map[string]*memoAnswer
}

type memoAnswer struct {
	once  sync.Once
	addrs []netip.Addr
	err   error
}

// newResolveMemo wraps resolve (nil: net.DefaultResolver, as the policy's
// default).
func newResolveMemo(resolve func(ctx context.Context, host string) ([]netip.Addr, error)) *resolveMemo {
	if resolve == nil {
		resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	return &resolveMemo{lookup: resolve, answers: map[string]*memoAnswer{}}
}

// resolve looks host up once; concurrent callers for the same host wait for
// the one lookup.
func (m *resolveMemo) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	m.mu.Lock()
	a, ok := m.answers[host]
	if !ok {
		a = &memoAnswer{}
		m.answers[host] = a
	}
	m.mu.Unlock()
	a.once.Do(func() { a.addrs, a.err = m.lookup(ctx, host) })
	return a.addrs, a.err
}
