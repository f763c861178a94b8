package alert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Event types of the rules, for endpoint subscriptions.
const (
	EventThreshold = "alert.threshold" // Data: ThresholdData
	EventSpike     = "alert.spike"     // Data: SpikeData
	EventDigest    = "click.digest"    // Data: DigestData
)

// EventTypes lists the event types of this package.
var EventTypes = []string{EventThreshold, EventSpike, EventDigest}

// Defaults and bounds of the rules' settings.
const (
	DefaultDigestEvery     = 5 * time.Minute
	DefaultDigestMaxClicks = 10
	MaxDigestClicks        = 100
	// MinWindow and MaxWindow bound every window and digest period: below
	// a second is per-click noise again, above 31 days no one waits for.
	MinWindow = time.Second
	MaxWindow = 31 * 24 * time.Hour
	// MaxBaselineWindows bounds Spike.BaselineWindows (the state keeps a
	// counter per window).
	MaxBaselineWindows = 168
)

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("90s", "5m", "1h").
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string such as "5m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("want a duration string such as \"5m\" or \"1h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration string such as \"5m\" or \"1h\", got %q", s)
	}
	*d = Duration(v)
	return nil
}

// Threshold fires when a link reaches Clicks clicks in one Window.
type Threshold struct {
	Clicks int      `json:"clicks"`
	Window Duration `json:"window"`
}

// Spike fires when a link's clicks in the current Window are at least
// MinClicks and more than Factor times the mean of the previous
// BaselineWindows windows.
type Spike struct {
	Factor          float64  `json:"factor"`
	Window          Duration `json:"window"`
	BaselineWindows int      `json:"baseline_windows"`
	MinClicks       int      `json:"min_clicks"`
}

// Digest bundles a link's clicks into one message per Every.
type Digest struct {
	// Every is the digest period; default DefaultDigestEvery.
	Every Duration `json:"every,omitzero"`
	// MaxClicks is how many click summaries a digest lists (the first
	// ones of the period); default DefaultDigestMaxClicks, at most
	// MaxDigestClicks. Counts cover every click.
	MaxClicks int `json:"max_clicks,omitzero"`
}

// Config is one endpoint's alert rules; a nil rule is off.
type Config struct {
	Threshold *Threshold `json:"threshold,omitempty"`
	Spike     *Spike     `json:"spike,omitempty"`
	Digest    *Digest    `json:"digest,omitempty"`
}

// IsZero reports whether every rule is off.
func (c Config) IsZero() bool { return c.Threshold == nil && c.Spike == nil && c.Digest == nil }

// WithDefaults returns a copy of c with the digest's unset fields set.
// The copy shares nothing with c.
func (c Config) WithDefaults() Config {
	out := c.Clone()
	if out.Digest != nil {
		if out.Digest.Every == 0 {
			out.Digest.Every = Duration(DefaultDigestEvery)
		}
		if out.Digest.MaxClicks == 0 {
			out.Digest.MaxClicks = DefaultDigestMaxClicks
		}
	}
	return out
}

// Clone returns a deep copy of c.
func (c Config) Clone() Config {
	var out Config
	if c.Threshold != nil {
		t := *c.Threshold
		out.Threshold = &t
	}
	if c.Spike != nil {
		s := *c.Spike
		out.Spike = &s
	}
	if c.Digest != nil {
		d := *c.Digest
		out.Digest = &d
	}
	return out
}

// Validate reports every bad field at once, each named by its JSON path
// under "alerts". Call it on WithDefaults' result.
func (c Config) Validate() error {
	var errs []error
	window := func(key string, d Duration) {
		if v := time.Duration(d); v < MinWindow || v > MaxWindow {
			errs = append(errs, fmt.Errorf("alerts.%s: want a duration from %s to %s, got %s", key, MinWindow, MaxWindow, v))
		}
	}
	if t := c.Threshold; t != nil {
		if t.Clicks < 1 {
			errs = append(errs, fmt.Errorf("alerts.threshold.clicks: must be >= 1, got %d", t.Clicks))
		}
		window("threshold.window", t.Window)
	}
	if s := c.Spike; s != nil {
		if !(s.Factor >= 1) || math.IsInf(s.Factor, 0) {
			errs = append(errs, fmt.Errorf("alerts.spike.factor: must be a finite number >= 1, got %v", s.Factor))
		}
		window("spike.window", s.Window)
		if s.BaselineWindows < 1 || s.BaselineWindows > MaxBaselineWindows {
			errs = append(errs, fmt.Errorf("alerts.spike.baseline_windows: want 1 to %d, got %d", MaxBaselineWindows, s.BaselineWindows))
		}
		if s.MinClicks < 1 {
			errs = append(errs, fmt.Errorf("alerts.spike.min_clicks: must be >= 1, got %d", s.MinClicks))
		}
	}
	if d := c.Digest; d != nil {
		window("digest.every", d.Every)
		if d.MaxClicks < 0 || d.MaxClicks > MaxDigestClicks {
			errs = append(errs, fmt.Errorf("alerts.digest.max_clicks: want 0 to %d, got %d", MaxDigestClicks, d.MaxClicks))
		}
	}
	return errors.Join(errs...)
}

// Requires returns the error of a subscription to event type typ that c
// has no rule for, or nil: alert.threshold needs alerts.threshold,
// alert.spike alerts.spike. click.digest runs with the defaults when
// alerts.digest is unset (see WithDefaults and the caller).
func (c Config) Requires(typ string) error {
	switch {
	case typ == EventThreshold && c.Threshold == nil:
		return errors.New("alerts.threshold: required when subscribed to alert.threshold")
	case typ == EventSpike && c.Spike == nil:
		return errors.New("alerts.spike: required when subscribed to alert.spike")
	}
	return nil
}
