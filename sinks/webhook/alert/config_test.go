package alert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		return Config{
			Threshold: &Threshold{Clicks: 100, Window: Duration(time.Hour)},
			Spike:     &Spike{Factor: 3, Window: Duration(10 * time.Minute), BaselineWindows: 6, MinClicks: 20},
			Digest:    &Digest{},
		}.WithDefaults()
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error; "" means valid
	}{
		{"valid", func(*Config) {}, ""},
		{"all off", func(c *Config) { *c = Config{} }, ""},
		{"threshold clicks", func(c *Config) { c.Threshold.Clicks = 0 }, "alerts.threshold.clicks"},
		{"threshold window short", func(c *Config) { c.Threshold.Window = Duration(time.Millisecond) }, "alerts.threshold.window"},
		{"threshold window long", func(c *Config) { c.Threshold.Window = Duration(60 * 24 * time.Hour) }, "alerts.threshold.window"},
		{"spike factor", func(c *Config) { c.Spike.Factor = 0.5 }, "alerts.spike.factor"},
		{"spike factor NaN", func(c *Config) { c.Spike.Factor = nan() }, "alerts.spike.factor"},
		{"spike baseline", func(c *Config) { c.Spike.BaselineWindows = 0 }, "alerts.spike.baseline_windows"},
		{"spike baseline too long", func(c *Config) { c.Spike.BaselineWindows = MaxBaselineWindows + 1 }, "alerts.spike.baseline_windows"},
		{"spike min", func(c *Config) { c.Spike.MinClicks = 0 }, "alerts.spike.min_clicks"},
		{"digest every", func(c *Config) { c.Digest.Every = Duration(-time.Minute) }, "alerts.digest.every"},
		{"digest max clicks", func(c *Config) { c.Digest.MaxClicks = MaxDigestClicks + 1 }, "alerts.digest.max_clicks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.mutate(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestConfigJSON(t *testing.T) {
	in := `{"threshold":{"clicks":100,"window":"1h"},"spike":{"factor":2.5,"window":"10m","baseline_windows":6,"min_clicks":20},"digest":{"every":"15m"}}`
	var c Config
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Threshold.Window) != time.Hour || time.Duration(c.Digest.Every) != 15*time.Minute || c.Digest.MaxClicks != DefaultDigestMaxClicks {
		t.Errorf("decoded %+v %+v %+v", *c.Threshold, *c.Spike, *c.Digest)
	}
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"threshold":{"clicks":100,"window":"1h0m0s"},"spike":{"factor":2.5,"window":"10m0s","baseline_windows":6,"min_clicks":20},"digest":{"every":"15m0s","max_clicks":10}}`
	if string(out) != want {
		t.Errorf("encoded\n got %s\nwant %s", out, want)
	}
	for _, bad := range []string{`{"threshold":{"window":60}}`, `{"threshold":{"window":"an hour"}}`} {
		if err := json.Unmarshal([]byte(bad), &c); err == nil || !strings.Contains(err.Error(), "duration") {
			t.Errorf("Unmarshal(%s) = %v, want a duration error", bad, err)
		}
	}
}

func TestRequires(t *testing.T) {
	var c Config
	if err := c.Requires(EventThreshold); err == nil || !strings.Contains(err.Error(), "alerts.threshold") {
		t.Errorf("threshold: %v", err)
	}
	if err := c.Requires(EventSpike); err == nil || !strings.Contains(err.Error(), "alerts.spike") {
		t.Errorf("spike: %v", err)
	}
	if err := c.Requires(EventDigest); err != nil {
		t.Errorf("digest runs on defaults: %v", err)
	}
}

// FuzzConfig: alert settings come from customers through the endpoint
// API. Decoding and validating never panic, and a valid config drives the
// rules without panicking either.
func FuzzConfig(f *testing.F) {
	f.Add(`{"threshold":{"clicks":3,"window":"1m"},"spike":{"factor":2,"window":"1s","baseline_windows":2,"min_clicks":1},"digest":{}}`)
	f.Add(`{"digest":{"every":"-5m","max_clicks":-1}}`)
	f.Add(`{"spike":{"factor":1e308,"window":"744h","baseline_windows":168,"min_clicks":1}}`)
	f.Fuzz(func(t *testing.T, in string) {
		var c Config
		if json.Unmarshal([]byte(in), &c) != nil {
			return
		}
		c = c.WithDefaults()
		if c.Validate() != nil {
			return
		}
		st := NewState(base)
		for i := range 20 {
			st.Apply(c, click(i, step{at: time.Duration(i) * 7 * time.Second}))
		}
		st.Flush(c, base.Add(MaxWindow*2))
	})
}

func BenchmarkApply(b *testing.B) {
	cfg := Config{
		Threshold: &Threshold{Clicks: 1000, Window: Duration(time.Hour)},
		Spike:     &Spike{Factor: 3, Window: Duration(10 * time.Minute), BaselineWindows: 6, MinClicks: 20},
		Digest:    &Digest{},
	}.WithDefaults()
	st := NewState(base)
	c := click(0, step{country: "DE", ref: "mail.google.com"})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Time = base.Add(time.Duration(i) * time.Millisecond)
		st.Apply(cfg, c)
	}
}
