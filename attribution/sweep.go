package attribution

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/schemas"
)

// DefaultSweepEvery is how often RunSweeper sweeps.
const DefaultSweepEvery = 10 * time.Minute

// Sweep forgets clicks older than Config.Window and contacts whose latest
// click is that old, and drops the parked conversions whose wait is over,
// returning them (unattributed) for the caller to log or count.
//
// The contacts are scanned without the lock (they are many: every contact
// of the window), and only those holding a click to forget are read again
// and rewritten under it, so indexing and attribution wait for the rewrite,
// not for the scan.
func (a *Attributor) Sweep() ([]*schemas.Conversion, error) {
	now := a.cfg.Now()
	cutoff := now.Add(-a.cfg.Window)
	var stale [][]byte // contacts with a click to forget, or unreadable
	err := a.scan([]byte(prefixContact), func(k, v []byte) error {
		var ref contactRef
		if json.Unmarshal(v, &ref) != nil || slices.ContainsFunc(ref.Clicks, func(r clickRef) bool { return r.Time.Before(cutoff) }) {
			stale = append(stale, slices.Clone(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep contacts: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.db.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(clickKey(""), clickKey(uuidV7Floor(cutoff)), nil); err != nil {
		return nil, fmt.Errorf("sweep clicks: %w", err)
	}
	for _, k := range stale { // as they are now: a click may have come since the scan
		var ref contactRef
		found, err := a.get(k, &ref)
		switch {
		case err != nil && !found:
			return nil, fmt.Errorf("sweep contacts: %w", err)
		case !found:
			continue
		}
		keep := slices.DeleteFunc(slices.Clone(ref.Clicks), func(r clickRef) bool { return r.Time.Before(cutoff) })
		switch {
		case err != nil || len(keep) == 0: // unreadable, or nothing left
			err = b.Delete(k, nil)
		case len(keep) < len(ref.Clicks):
			nv, _ := json.Marshal(contactRef{Clicks: keep})
			err = b.Set(k, nv, nil)
		}
		if err != nil {
			return nil, fmt.Errorf("sweep contacts: %w", err)
		}
	}
	var expired []*schemas.Conversion
	err = a.scan([]byte(prefixPending), func(k, v []byte) error {
		var p pendingConversion
		if json.Unmarshal(v, &p) != nil || p.Conversion == nil {
			return b.Delete(k, nil)
		}
		if now.After(p.Until) {
			expired = append(expired, p.Conversion)
			return b.Delete(k, nil)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep pending conversions: %w", err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return expired, nil
}

func (a *Attributor) scan(prefix []byte, fn func(k, v []byte) error) error {
	it, err := a.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: pebblekv.PrefixEnd(prefix)})
	if err != nil {
		return err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

// RunSweeper sweeps every interval (DefaultSweepEvery when zero) until
// ctx ends, logging each conversion that expired unattributed.
func (a *Attributor) RunSweeper(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = DefaultSweepEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		expired, err := a.Sweep()
		if err != nil {
			a.log.Error("attribution sweep", "err", err)
			continue
		}
		for _, c := range expired {
			a.log.Warn("conversion unattributed: its click never arrived", "conversion", c.EventID,
				"workspace", c.WorkspaceID, "click_id", c.ClickID, "contact_id", c.ContactID)
		}
	}
}
