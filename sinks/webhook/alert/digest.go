package alert

import (
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// MaxDigestKeys bounds the distinct keys of each of a digest's count maps;
// the rest are counted under "other", so a flood of referrers cannot grow
// a state or a message without bound.
const MaxDigestKeys = 50

// Keys of a digest's count maps for missing values.
const (
	KeyUnknown = "unknown" // no country, no device class
	KeyDirect  = "direct"  // no referrer
	KeyOther   = "other"   // beyond MaxDigestKeys
)

// DigestData is the data of click.digest.
type DigestData struct {
	Link
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Clicks      int       `json:"clicks"`
	Bots        int       `json:"bots"`
	// Countries, Devices and Referrers count the clicks by ISO country
	// code, device class and referrer host.
	Countries map[string]int `json:"countries"`
	Devices   map[string]int `json:"devices"`
	Referrers map[string]int `json:"referrers"`
	// FirstClicks are the first clicks of the period, at most
	// Digest.MaxClicks.
	FirstClicks []ClickSummary `json:"first_clicks"`
}

// ClickSummary is one click in a digest: the privacy-safe fields of a
// click.created event, without the visitor hash.
type ClickSummary struct {
	ClickID      string      `json:"click_id"`
	Time         time.Time   `json:"timestamp"`
	Country      string      `json:"country,omitempty"`
	DeviceClass  string      `json:"device_class"`
	ReferrerHost string      `json:"referrer_host,omitempty"`
	Bot          bool        `json:"bot"`
	ContactID    string      `json:"contact_id,omitempty"`
	UTM          schemas.UTM `json:"utm"`
}

// DigestState accumulates the clicks of the current digest period.
type DigestState struct {
	Every int64 `json:"every"` // nanoseconds
	Start int64 `json:"start"` // Unix nanoseconds of the period
	// FlushedUntil is the end of the last period emitted: a later click
	// older than it joins the current period instead of re-opening one
	// whose digest was sent.
	FlushedUntil int64          `json:"flushed_until,omitempty"`
	Clicks       int            `json:"clicks"`
	Bots         int            `json:"bots"`
	Countries    map[string]int `json:"countries,omitempty"`
	Devices      map[string]int `json:"devices,omitempty"`
	Referrers    map[string]int `json:"referrers,omitempty"`
	First        []ClickSummary `json:"first,omitempty"`
}

func (s *State) digest(cfg *Digest) *DigestState {
	e := int64(cfg.Every)
	if s.Digest == nil || s.Digest.Every != e {
		s.Digest = &DigestState{Every: e}
	}
	return s.Digest
}

// add counts click c, first emitting the pending period's digest when c
// belongs to a later one.
func (d *DigestState) add(l Link, cfg Digest, c *schemas.EnrichedClick) []Event {
	t := c.Time.UTC()
	start := max(windowStart(t, d.Every), d.FlushedUntil)
	var evs []Event
	if d.Clicks > 0 && start > d.Start {
		if ev, ok := d.flush(l, cfg, unixTime(start)); ok {
			evs = append(evs, ev)
		}
	}
	if d.Clicks == 0 {
		d.Start = start
	}
	// A click older than the open period (out of order) joins it.
	d.Clicks++
	if c.Bot {
		d.Bots++
	}
	d.Countries = count(d.Countries, c.Country, KeyUnknown)
	d.Devices = count(d.Devices, c.DeviceType, KeyUnknown)
	d.Referrers = count(d.Referrers, c.ReferrerHost, KeyDirect)
	if len(d.First) < cfg.MaxClicks {
		d.First = append(d.First, ClickSummary{
			ClickID: c.EventID, Time: t, Country: c.Country, DeviceClass: c.DeviceType,
			ReferrerHost: c.ReferrerHost, Bot: c.Bot, ContactID: c.ContactID, UTM: c.UTM,
		})
	}
	return evs
}

// flush emits the open period's digest when it ended by now, and resets.
func (d *DigestState) flush(l Link, cfg Digest, now time.Time) (Event, bool) {
	end := d.Start + d.Every
	if d.Clicks == 0 || end > now.UnixNano() {
		return Event{}, false
	}
	first := d.First
	if first == nil {
		first = []ClickSummary{} // MaxClicks 0: an empty list, not null
	}
	ev := Event{
		Type: EventDigest, Key: eventKey(EventDigest, d.Start), Time: unixTime(end),
		Data: DigestData{Link: l, PeriodStart: unixTime(d.Start), PeriodEnd: unixTime(end),
			Clicks: d.Clicks, Bots: d.Bots, Countries: orEmpty(d.Countries), Devices: orEmpty(d.Devices),
			Referrers: orEmpty(d.Referrers), FirstClicks: first},
	}
	*d = DigestState{Every: d.Every, FlushedUntil: end}
	return ev, true
}

func count(m map[string]int, k, missing string) map[string]int {
	if k == "" {
		k = missing
	}
	if m == nil {
		m = map[string]int{}
	}
	if _, ok := m[k]; !ok && len(m) >= MaxDigestKeys {
		k = KeyOther
	}
	m[k]++
	return m
}

func orEmpty(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}
