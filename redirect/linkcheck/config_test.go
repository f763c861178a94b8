package linkcheck

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		return Config{Links: &redirect.Store{}, Emit: func(context.Context, Event) error { return nil }, StateDir: "state"}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"no links", func(c *Config) { c.Links = nil }, []string{"Links: required"}},
		{"no emit", func(c *Config) { c.Emit = nil }, []string{"Emit: required"}},
		{"no state dir", func(c *Config) { c.StateDir = "" }, []string{"StateDir: required"}},
		{"negative interval", func(c *Config) { c.Interval = -time.Second }, []string{"Interval: must not be negative"}},
		{"page too large", func(c *Config) { c.PageSize = redirect.MaxListLimit + 1 }, []string{"PageSize: at most"}},
		{"negative rate", func(c *Config) { c.RatePerSecond = -1 }, []string{"RatePerSecond"}},
		{"negative body", func(c *Config) { c.MaxBodyBytes = -1 }, []string{"MaxBodyBytes"}},
		{"backoff cap below base", func(c *Config) { c.BackoffBase = time.Hour; c.BackoffMax = time.Minute }, []string{"BackoffMax: must be at least BackoffBase"}},
		{"every problem at once", func(c *Config) { c.Links, c.Emit, c.Workers = nil, nil, -1 },
			[]string{"Links: required", "Emit: required", "Workers: must not be negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.mutate(&c)
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("Validate = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func FuzzTargets(f *testing.F) {
	for _, s := range []string{"https://example.com/x", "myapp://item/1", "http://", "HTTP://A.example", "https://[::1]:80/", "%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		l := &redirect.Link{DestinationURL: raw, Variants: []redirect.Variant{{DestinationURL: raw}}}
		ts := targets(l)
		if len(ts) > 1 {
			t.Fatalf("targets(%q) = %v: one URL listed twice", raw, ts)
		}
		if len(ts) == 1 && !checkable(ts[0].url) {
			t.Fatalf("targets(%q) kept an uncheckable URL", raw)
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	st := DestinationState{URL: "https://example.com", ConsecutiveFailures: 2, Broken: true}
	b, _ := encodeState(&st)
	f.Add(b)
	f.Add([]byte{stateFormat, '{', '}'})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var d DestinationState
		_ = decodeState(b, &d)
		var a linkAlerts
		_ = decodeState(b, &a)
	})
}
