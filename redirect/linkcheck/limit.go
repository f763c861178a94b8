package linkcheck

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// pacer spaces calls to wait evenly, 1/rate apart, with no burst: a
// checker that woke up after a pause does not fire a volley.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newPacer(ratePerSecond float64) *pacer {
	return &pacer{interval: time.Duration(float64(time.Second) / ratePerSecond)}
}

// wait blocks until the caller's slot, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(p.interval)
	p.mu.Unlock()
	d := time.Until(slot)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pacedTransport makes every request, redirect hops included, wait for
// the pacer.
type pacedTransport struct {
	pacer *pacer
	next  http.RoundTripper
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.pacer.wait(req.Context()); err != nil {
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// hostLocks allows one holder per host name at a time.
type hostLocks struct {
	mu    sync.Mutex
	slots map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	refs int
}

func newHostLocks() *hostLocks { return &hostLocks{slots: map[string]*hostSlot{}} }

// lock waits for host's slot; call the returned func to release it.
func (h *hostLocks) lock(ctx context.Context, host string) (func(), error) {
	h.mu.Lock()
	s := h.slots[host]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, 1)}
		h.slots[host] = s
	}
	s.refs++
	h.mu.Unlock()
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem; h.unref(host, s) }, nil
	case <-ctx.Done():
		h.unref(host, s)
		return nil, ctx.Err()
	}
}

func (h *hostLocks) unref(host string, s *hostSlot) {
	h.mu.Lock()
	if s.refs--; s.refs == 0 {
		delete(h.slots, host)
	}
	h.mu.Unlock()
}
