package attribution

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/schemas"
)

// contactRef is a contact's latest clicks, newest first, at most
// contactClicks of them: enough to find the last click before a
// conversion reported late (after the contact clicked again).
type contactRef struct {
	Clicks []clickRef `json:"clicks"`
}

type clickRef struct {
	ClickID string    `json:"click_id"`
	Time    time.Time `json:"ts"`
}

// contactClicks bounds a contact's click history.
const contactClicks = 8

// clockSkew is how far after a conversion's occurred_at a click may be and
// still be credited by contact: occurred_at comes from another system's
// clock.
const clockSkew = 5 * time.Minute

// add puts c into the history, newest first, once, within the bound.
func (r *contactRef) add(c Click) {
	for _, x := range r.Clicks {
		if x.ClickID == c.EventID {
			return // a redelivered click
		}
	}
	r.Clicks = append(r.Clicks, clickRef{ClickID: c.EventID, Time: c.Time})
	slices.SortStableFunc(r.Clicks, func(a, b clickRef) int { return b.Time.Compare(a.Time) })
	if len(r.Clicks) > contactClicks {
		r.Clicks = r.Clicks[:contactClicks]
	}
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
// c names none (or one of another workspace, or too old), the last click
// of its contact. When that click is not indexed yet it parks c (durably)
// until it is, or until Config.PendingFor passes.
func (a *Attributor) Attribute(c *schemas.Conversion) (*Attributed, Outcome, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, outcome, parkAt, err := a.decide(c)
	if err != nil || outcome != Parked {
		return at, outcome, err
	}
	return nil, Parked, a.park(parkAt, c)
}

// decide is Attribute's decision on the index as it stands, without
// parking: for Parked, parkAt is the key c waits under (its click's or its
// contact's pending prefix, then its id). Callers hold a.mu.
func (a *Attributor) decide(c *schemas.Conversion) (at *Attributed, outcome Outcome, parkAt []byte, err error) {
	ws := workspaceOf(c.WorkspaceID)
	if c.ClickID != "" {
		click, ok, err := a.click(c.ClickID)
		if err != nil {
			return nil, 0, nil, err
		}
		if ok && click.WorkspaceID == ws && a.inWindow(click, c) {
			return &Attributed{Conversion: c, Click: click, MatchedBy: schemas.MatchedByClickID}, Credited, nil, nil
		}
		if !ok { // not indexed yet: wait for the click the conversion names
			return nil, Parked, append(pendingClickPrefix(c.ClickID), c.EventID...), nil
		}
	}
	if c.ContactID != "" {
		click, ok, err := a.contactClick(ws, c.ContactID, c.OccurredAt.Add(clockSkew))
		if err != nil {
			return nil, 0, nil, err
		}
		if ok && a.inWindow(click, c) {
			return &Attributed{Conversion: c, Click: click, MatchedBy: schemas.MatchedByContactID}, Credited, nil, nil
		}
		if !ok {
			return nil, Parked, append(pendingContactPrefix(ws, c.ContactID), c.EventID...), nil
		}
	}
	return nil, Unattributed, nil, nil
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

// contactClick reads the latest indexed click of a contact at or before
// notAfter.
func (a *Attributor) contactClick(ws, contact string, notAfter time.Time) (Click, bool, error) {
	var ref contactRef
	ok, err := a.get(contactKey(ws, contact), &ref)
	if err != nil || !ok {
		return Click{}, false, err
	}
	for _, r := range ref.Clicks {
		if r.Time.After(notAfter) {
			continue
		}
		c, ok, err := a.click(r.ClickID) // gone when the window swept it
		if err != nil || ok && c.WorkspaceID == ws {
			return c, ok, err
		}
	}
	return Click{}, false, nil
}

// get decodes the JSON value at key into v; false when absent.
func (a *Attributor) get(key []byte, v any) (bool, error) {
	return pebblekv.Get(a.db, key, func(b []byte) error {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("decode %q: %w", key, err)
		}
		return nil
	})
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
	byContact := map[string][]Click{} // contact key -> clicks of this batch
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
			byContact[k] = append(byContact[k], c)
		}
	}
	for k, cs := range byContact {
		var ref contactRef
		if _, err := a.get([]byte(k), &ref); err != nil {
			return nil, fmt.Errorf("index the clicks of contact %q: %w", k, err)
		}
		for _, c := range cs {
			ref.add(c)
		}
		v, _ := json.Marshal(ref)
		if err := b.Set([]byte(k), v, nil); err != nil {
			return nil, fmt.Errorf("index the clicks of contact %q: %w", k, err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return nil, fmt.Errorf("index %d clicks: %w", len(clicks), err)
	}
	return a.resolveWaiting(indexed)
}

// resolveWaiting decides again, on the index that now holds clicks, every
// conversion parked under one of their click ids or contacts: each once,
// whichever of the batch's clicks it waited for, with Attribute's rules
// (the named click, else the contact's last click before the conversion).
// Credited ones are returned, still parked until Resolved; one that now
// waits for something else (its named click came in another workspace,
// its contact's click has not) moves to that key; an unattributable one
// stays until the sweep expires it. One iterator serves the batch: in the
// usual case nothing is parked, and that costs one seek.
func (a *Attributor) resolveWaiting(clicks []Click) ([]Attributed, error) {
	prefixes := map[string]bool{}
	for _, c := range clicks {
		prefixes[string(pendingClickPrefix(c.EventID))] = true
		if c.ContactID != "" {
			prefixes[string(pendingContactPrefix(c.WorkspaceID, c.ContactID))] = true
		}
	}
	it, err := a.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixPending), UpperBound: pebblekv.PrefixEnd([]byte(prefixPending))})
	if err != nil {
		return nil, fmt.Errorf("read pending conversions: %w", err)
	}
	defer it.Close()
	if !it.First() {
		return nil, it.Error()
	}
	waiting := map[string]pendingConversion{} // pending key -> conversion
	for prefix := range prefixes {
		for it.SeekGE([]byte(prefix)); it.Valid() && bytes.HasPrefix(it.Key(), []byte(prefix)); it.Next() {
			var p pendingConversion
			if err := json.Unmarshal(it.Value(), &p); err != nil || p.Conversion == nil {
				a.log.Error("dropping an unreadable pending conversion", "key", string(it.Key()), "err", err)
				continue
			}
			waiting[string(it.Key())] = p
		}
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("read pending conversions: %w", err)
	}
	var out []Attributed
	for key, p := range waiting {
		at, outcome, parkAt, err := a.decide(p.Conversion)
		switch {
		case err != nil:
			return nil, err
		case outcome == Credited:
			at.pending = []byte(key)
			out = append(out, *at)
		case outcome == Parked && string(parkAt) != key:
			if err := a.movePending(key, parkAt, p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// movePending parks p under key to instead of from, keeping its deadline.
func (a *Attributor) movePending(from string, to []byte, p pendingConversion) error {
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("move pending conversion %s: %w", p.Conversion.EventID, err)
	}
	b := a.db.NewBatch()
	defer b.Close()
	_ = b.Set(to, v, nil) // only fails on a committed batch
	_ = b.Delete([]byte(from), nil)
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("move pending conversion %s: %w", p.Conversion.EventID, err)
	}
	return nil
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
