package alert

import (
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// Event is what a rule emits: the webhook message to send, less the
// envelope.
type Event struct {
	// Type is EventThreshold, EventSpike or EventDigest.
	Type string
	// Key names the event among the link's: the type and its window
	// start ("alert.spike/1764000000000000000"). The same clicks always
	// give the same key: derive the webhook id from it, the endpoint and
	// the link.
	Key string
	// Time is when it happened: the click that crossed the line, or the
	// end of the digest period.
	Time time.Time
	// Data is a ThresholdData, SpikeData or DigestData.
	Data any
}

// Link names the link an event is about.
type Link struct {
	LinkID string `json:"link_id"`
	Domain string `json:"domain"`
	Path   string `json:"path"`
	// ShortURL is the link's public URL; the caller sets it on the State
	// (Apply keeps it), since clicks do not carry it.
	ShortURL string `json:"short_url,omitempty"`
}

// State is the rules' memory for one endpoint and one link. The zero value
// is a link never seen. It encodes to JSON for the caller to persist;
// every field is exported for that reason only: change it through Apply
// and Flush.
type State struct {
	Link Link `json:"link"`
	// Since is when the endpoint started observing (its alert settings
	// changed last): spike baselines only count windows after it.
	Since     time.Time       `json:"since"`
	Threshold *ThresholdState `json:"threshold,omitempty"`
	Spike     *SpikeState     `json:"spike,omitempty"`
	Digest    *DigestState    `json:"digest,omitempty"`
}

// NewState returns the state of a link first seen by an endpoint that has
// observed clicks since since.
func NewState(since time.Time) *State { return &State{Since: since.UTC()} }

// Apply counts click c and returns the events it triggers, oldest first.
// cfg holds the rules the endpoint subscribes to (nil ones are off, and
// their state is dropped); a changed window or period restarts its rule.
// A click older than a rule's current window (late, or out of order) is
// counted where it still can be: in the spike baseline, or in the next
// digest; never in a threshold window that has passed.
func (s *State) Apply(cfg Config, c *schemas.EnrichedClick) []Event {
	s.Link.LinkID, s.Link.Domain, s.Link.Path = c.LinkID, c.Domain, c.Path
	s.prune(cfg)
	var evs []Event
	t := c.Time.UTC()
	if cfg.Digest != nil {
		evs = append(evs, s.digest(cfg.Digest).add(s.Link, *cfg.Digest, c)...)
	}
	if cfg.Threshold != nil {
		if ev, ok := s.threshold(cfg.Threshold).add(s.Link, *cfg.Threshold, t); ok {
			evs = append(evs, ev)
		}
	}
	if cfg.Spike != nil {
		if ev, ok := s.spike(cfg.Spike).add(s.Link, *cfg.Spike, s.Since, t); ok {
			evs = append(evs, ev)
		}
	}
	return evs
}

// Flush returns the digest of a period that ended at or before now, and
// forgets it. Call it as time passes; now is a watermark (no click older
// than now is still to come), not necessarily the wall clock.
func (s *State) Flush(cfg Config, now time.Time) []Event {
	s.prune(cfg)
	if cfg.Digest == nil || s.Digest == nil {
		return nil
	}
	if ev, ok := s.Digest.flush(s.Link, *cfg.Digest, now.UTC()); ok {
		return []Event{ev}
	}
	return nil
}

// DigestDue returns when Flush will next have a digest to emit, and false
// when no clicks are pending.
func (s *State) DigestDue() (time.Time, bool) {
	if s.Digest == nil || s.Digest.Clicks == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, s.Digest.Start+s.Digest.Every).UTC(), true
}

// Idle reports whether s holds nothing the rules still need at now, so
// the caller may delete it: a fresh NewState with the same Since would
// behave the same from now on.
func (s *State) Idle(cfg Config, now time.Time) bool {
	n := now.UnixNano()
	if t := s.Threshold; t != nil && cfg.Threshold != nil && t.Start+t.Window > n {
		return false
	}
	if sp := s.Spike; sp != nil && cfg.Spike != nil && sp.Start+int64(len(sp.Counts))*sp.Window > n {
		return false
	}
	if d := s.Digest; d != nil && cfg.Digest != nil && (d.Clicks > 0 || d.FlushedUntil > n) {
		return false
	}
	return true
}

// prune drops the state of rules cfg turned off.
func (s *State) prune(cfg Config) {
	if cfg.Threshold == nil {
		s.Threshold = nil
	}
	if cfg.Spike == nil {
		s.Spike = nil
	}
	if cfg.Digest == nil {
		s.Digest = nil
	}
}

// windowStart returns the start of the window of length w containing t,
// in Unix nanoseconds.
func windowStart(t time.Time, w int64) int64 {
	n := t.UnixNano()
	m := n % w
	if m < 0 {
		m += w
	}
	return n - m
}

func eventKey(typ string, start int64) string { return typ + "/" + strconv.FormatInt(start, 10) }

func unixTime(n int64) time.Time { return time.Unix(0, n).UTC() }
