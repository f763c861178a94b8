package crm

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
func (a *Attributor) Sweep() ([]*schemas.Conversion, error) {
	now := a.cfg.Now()
	cutoff := now.Add(-a.cfg.Window)
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.db.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(clickKey(""), clickKey(uuidV7Floor(cutoff)), nil); err != nil {
		return nil, fmt.Errorf("sweep clicks: %w", err)
	}
	err := a.scan([]byte(prefixContact), func(k, v []byte) error {
		var ref contactRef
		if json.Unmarshal(v, &ref) != nil {
			return b.Delete(k, nil)
		}
		keep := slices.DeleteFunc(slices.Clone(ref.Clicks), func(r clickRef) bool { return r.Time.Before(cutoff) })
		switch {
		case len(keep) == 0:
			return b.Delete(k, nil)
		case len(keep) < len(ref.Clicks):
			nv, _ := json.Marshal(contactRef{Clicks: keep})
			return b.Set(k, nv, nil)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep contacts: %w", err)
	}
	var expired []*schemas.Conversion
	err = a.scan([]byte("p/"), func(k, v []byte) error {
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
