package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// defaultSweepBatch bounds the log entries one Sweep step deletes in one
// pebble batch, so a sweep after a long pause does not build one huge
// batch (Registry.sweepBatch; tests lower it).
const defaultSweepBatch = 10000

// Sweep deletes the delivery log entries older than RegistryConfig.Retention
// at the registry's clock, with the bodies of their messages and the marks
// replay checks, in batches of at most 10,000 entries. It returns how many
// entries it deleted.
//
// An endpoint's entries sort by time, so each endpoint's expired entries
// are one key range, removed with DeleteRange. A message's body goes with
// the first of its entries to expire: a replay of it after that answers
// 404, even while later attempts of it are still in the log (with the
// default 30 days against the 28-hour retry schedule, a rare case).
func (r *Registry) Sweep() (int, error) {
	cutoff := r.cfg.Now().Add(-r.cfg.Retention)
	total := 0
	for {
		n, err := r.sweepStep(cutoff)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// sweepStep deletes up to r.sweepBatch expired entries and reports how many.
func (r *Registry) sweepStep(cutoff time.Time) (int, error) {
	it, err := r.db.NewIter(&pebble.IterOptions{LowerBound: []byte(keyDelivery), UpperBound: prefixEnd(keyDelivery)})
	if err != nil {
		return 0, fmt.Errorf("sweep delivery log: %w", err)
	}
	defer it.Close()
	b := r.db.NewBatch()
	defer b.Close()
	n := 0
	bound := fmt.Sprintf("%016x", uint64(max(cutoff.UnixNano(), 0)))
	for valid := it.First(); valid && n < r.sweepBatch; {
		ep, _, ok := strings.Cut(strings.TrimPrefix(string(it.Key()), keyDelivery), "/")
		if !ok {
			return n, fmt.Errorf("sweep delivery log: malformed key %q", it.Key())
		}
		prefix := keyDelivery + ep + "/"
		end := []byte(prefix + bound)
		var last []byte
		for ; valid && n < r.sweepBatch && string(it.Key()) < string(end) && strings.HasPrefix(string(it.Key()), prefix); valid = it.Next() {
			var d Delivery
			if err := json.Unmarshal(it.Value(), &d); err == nil && d.MessageID != "" {
				if err := b.Delete([]byte(keyMessage+d.MessageID), nil); err != nil {
					return n, fmt.Errorf("sweep message %s: %w", d.MessageID, err)
				}
				if err := b.Delete(sentKey(ep, d.MessageID), nil); err != nil {
					return n, fmt.Errorf("sweep message %s: %w", d.MessageID, err)
				}
			}
			last = append(last[:0], it.Key()...)
			n++
		}
		if last != nil {
			if err := b.DeleteRange([]byte(prefix), append(last, 0), nil); err != nil {
				return n, fmt.Errorf("sweep delivery log of %s: %w", ep, err)
			}
		}
		valid = it.SeekGE(prefixEnd(prefix)) // the next endpoint
	}
	if err := it.Error(); err != nil {
		return n, fmt.Errorf("sweep delivery log: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := b.Commit(pebble.NoSync); err != nil { // like the log itself: see RecordAttempt
		return 0, fmt.Errorf("sweep delivery log: %w", err)
	}
	r.log.Debug("webhook delivery log swept", "entries", n, "before", cutoff)
	return n, nil
}

// RunSweeper calls Sweep every every (DefaultSweepEvery when 0) until ctx
// ends, logging failures; it returns nil when ctx ends.
func (r *Registry) RunSweeper(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = DefaultSweepEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.Sweep(); err != nil {
			r.log.Warn("webhook delivery log sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
