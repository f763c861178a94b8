package crm

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/schemas"
)

// contactRef is a contact's latest click.
type contactRef struct {
	ClickID string    `json:"click_id"`
	Time    time.Time `json:"ts"`
}

// pendingConversion is a conversion waiting for its click.
type pendingConversion struct {
	Conversion *schemas.Conversion `json:"conversion"`
	Until      time.Time           `json:"until"`
}

// Outcome says what Attribute did with a conversion.
type Outcome int

const (
	// Credited: the returned Attributed names the click.
	Credited Outcome = iota
	// Parked: the click is not indexed yet; the conversion waits for it
	// (IndexClicks returns it when the click comes).
	Parked
	// Unattributed: the click is known but belongs to another workspace
	// or is outside the window, and no contact click applies.
	Unattributed
)

// Attribute finds the click to credit for c: the click it names, or, when
// c names none (or one of another workspace, or too old), the latest click
// of its contact. When that click is not indexed yet it parks c (durably)
// until it is, or until Config.PendingFor passes.
func (a *Attributor) Attribute(c *schemas.Conversion) (*Attributed, Outcome, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ws := workspaceOf(c.WorkspaceID)
	if c.ClickID != "" {
		click, ok, err := a.click(c.ClickID)
		if err != nil {
			return nil, 0, err
		}
		if ok && click.WorkspaceID == ws && a.inWindow(click, c) {
			return &Attributed{Conversion: c, Click: click, MatchedBy: MatchedByClickID}, Credited, nil
		}
		if !ok { // not indexed yet: wait for the click the conversion names
			return nil, Parked, a.park(append(pendingClickPrefix(c.ClickID), c.EventID...), c)
		}
	}
	if c.ContactID != "" {
		click, ok, err := a.contactClick(ws, c.ContactID)
		if err != nil {
			return nil, 0, err
		}
		if ok && a.inWindow(click, c) {
			return &Attributed{Conversion: c, Click: click, MatchedBy: MatchedByContactID}, Credited, nil
		}
		if !ok {
			return nil, Parked, a.park(append(pendingContactPrefix(ws, c.ContactID), c.EventID...), c)
		}
	}
	return nil, Unattributed, nil
}

// inWindow reports whether click may be credited for c.
func (a *Attributor) inWindow(click Click, c *schemas.Conversion) bool {
	return c.OccurredAt.Sub(click.Time) <= a.cfg.Window
}

func (a *Attributor) park(key []byte, c *schemas.Conversion) error {
	b, err := json.Marshal(pendingConversion{Conversion: c, Until: a.cfg.Now().Add(a.cfg.PendingFor).UTC()})
	if err != nil {
		return fmt.Errorf("park conversion %s: %w", c.EventID, err)
	}
	if err := a.db.Set(key, b, pebble.Sync); err != nil {
		return fmt.Errorf("park conversion %s: %w", c.EventID, err)
	}
	return nil
}

// click reads an indexed click.
func (a *Attributor) click(id string) (Click, bool, error) {
	var c Click
	ok, err := a.get(clickKey(id), &c)
	if err != nil {
		return c, false, fmt.Errorf("read click %s: %w", id, err)
	}
	return c, ok, nil
}

// contactClick reads the latest indexed click of a contact.
func (a *Attributor) contactClick(ws, contact string) (Click, bool, error) {
	var ref contactRef
	ok, err := a.get(contactKey(ws, contact), &ref)
	if err != nil || !ok {
		return Click{}, false, err
	}
	c, ok, err := a.click(ref.ClickID) // gone when the window swept it
	if ok && c.WorkspaceID != ws {
		ok = false
	}
	return c, ok, err
}

func (a *Attributor) get(key []byte, v any) (bool, error) {
	b, closer, err := a.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer closer.Close()
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

// IndexClicks records clicks (synchronously) and returns the parked
// conversions they resolve: those naming one of the clicks, and those of
// a contact one of the clicks carries, each in the click's workspace. The
// caller sends them, then calls Resolved; until then they stay parked, so
// a crash repeats them rather than losing them.
func (a *Attributor) IndexClicks(clicks []*schemas.EnrichedClick) ([]Attributed, error) {
	if len(clicks) == 0 {
		return nil, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.db.NewBatch()
	defer b.Close()
	latest := map[string]Click{} // contact key -> latest click of this batch
	indexed := make([]Click, 0, len(clicks))
	for _, ec := range clicks {
		c := ClickOf(ec)
		v, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("index click %s: %w", c.EventID, err)
		}
		if err := b.Set(clickKey(c.EventID), v, nil); err != nil {
			return nil, fmt.Errorf("index click %s: %w", c.EventID, err)
		}
		indexed = append(indexed, c)
		if c.ContactID != "" {
			k := string(contactKey(c.WorkspaceID, c.ContactID))
			if prev, ok := latest[k]; !ok || c.Time.After(prev.Time) {
				latest[k] = c
			}
		}
	}
	for k, c := range latest {
		var ref contactRef
		ok, err := a.get([]byte(k), &ref)
		if err != nil {
			return nil, fmt.Errorf("index click %s: %w", c.EventID, err)
		}
		if ok && !c.Time.After(ref.Time) {
			continue // a redelivered or late click: the contact has a newer one
		}
		v, _ := json.Marshal(contactRef{ClickID: c.EventID, Time: c.Time})
		if err := b.Set([]byte(k), v, nil); err != nil {
			return nil, fmt.Errorf("index click %s: %w", c.EventID, err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return nil, fmt.Errorf("index %d clicks: %w", len(clicks), err)
	}
	var out []Attributed
	for _, c := range indexed {
		found, err := a.waiting(pendingClickPrefix(c.EventID), c, MatchedByClickID)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
		if c.ContactID != "" {
			found, err := a.waiting(pendingContactPrefix(c.WorkspaceID, c.ContactID), c, MatchedByContactID)
			if err != nil {
				return nil, err
			}
			out = append(out, found...)
		}
	}
	return out, nil
}

// waiting returns the parked conversions under prefix that click
// resolves.
func (a *Attributor) waiting(prefix []byte, click Click, by string) ([]Attributed, error) {
	it, err := a.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: pebblekv.PrefixEnd(prefix)})
	if err != nil {
		return nil, fmt.Errorf("read pending conversions: %w", err)
	}
	defer it.Close()
	var out []Attributed
	for it.First(); it.Valid(); it.Next() {
		var p pendingConversion
		if err := json.Unmarshal(it.Value(), &p); err != nil || p.Conversion == nil {
			a.log.Error("dropping an unreadable pending conversion", "key", string(it.Key()), "err", err)
			continue
		}
		if workspaceOf(p.Conversion.WorkspaceID) != click.WorkspaceID || !a.inWindow(click, p.Conversion) {
			continue // another workspace's click with this id, or too old: it expires unattributed
		}
		out = append(out, Attributed{Conversion: p.Conversion, Click: click, MatchedBy: by,
			pending: append([]byte(nil), it.Key()...)})
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("read pending conversions: %w", err)
	}
	return out, nil
}

// Resolved forgets the parked conversions of atts (those IndexClicks
// returned), once the caller has sent them.
func (a *Attributor) Resolved(atts []Attributed) error {
	b := a.db.NewBatch()
	defer b.Close()
	for _, at := range atts {
		if at.pending != nil {
			if err := b.Delete(at.pending, nil); err != nil {
				return fmt.Errorf("resolve conversion %s: %w", at.Conversion.EventID, err)
			}
		}
	}
	if b.Empty() {
		return nil
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("resolve %d conversions: %w", len(atts), err)
	}
	return nil
}
