package ingest

import (
	"context"
	"time"
)

// backoff yields exponentially growing waits between retries, capped.
type backoff struct {
	min, max time.Duration
	cur      time.Duration
}

// Default retry backoff of consumers whose handler failed.
const (
	defaultBackoffMin = 50 * time.Millisecond
	defaultBackoffMax = 5 * time.Second
)

func newBackoff() backoff { return backoff{min: defaultBackoffMin, max: defaultBackoffMax} }

// next returns the wait before the next retry and doubles the one after it.
func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	}
	d := b.cur
	b.cur = min(2*b.cur, b.max)
	return d
}

// reset starts the sequence over after a success.
func (b *backoff) reset() { b.cur = 0 }

// sleep waits d or until ctx is done; it reports whether the wait completed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
