package alert

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// base is aligned to every window the tests use (an hour boundary).
var base = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// step is one input of a stream: a click at base+at, or (flush) the
// watermark moving to base+at.
type step struct {
	at      time.Duration
	flush   bool
	country string
	bot     bool
	ref     string
}

func clicks(at ...time.Duration) []step {
	out := make([]step, len(at))
	for i, a := range at {
		out[i] = step{at: a}
	}
	return out
}

func every(from, interval time.Duration, n int) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = step{at: from + time.Duration(i)*interval}
	}
	return out
}

func join(ss ...[]step) []step {
	var out []step
	for _, s := range ss {
		out = append(out, s...)
	}
	return out
}

func click(i int, s step) *schemas.EnrichedClick {
	return &schemas.EnrichedClick{
		V: schemas.EnrichedClickVersion, EventID: fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i),
		Type: schemas.ClickTypeClick, Time: base.Add(s.at), LinkID: "lnk_1", Domain: "go.brand.com", Path: "spring",
		Country: s.country, Bot: s.bot, ReferrerHost: s.ref, DeviceType: "desktop",
	}
}

// run feeds steps to one State, round-tripping it through JSON between
// steps as a restart would, and returns the events in order.
func run(t *testing.T, cfg Config, since time.Time, steps []step) []Event {
	t.Helper()
	st := NewState(since)
	var out []Event
	for i, s := range steps {
		if s.flush {
			out = append(out, st.Flush(cfg, base.Add(s.at))...)
		} else {
			out = append(out, st.Apply(cfg, click(i, s))...)
		}
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		st = &State{}
		if err := json.Unmarshal(b, st); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// summary renders an event compactly: type, window start relative to
// base, and its count.
func summary(ev Event) string {
	rel := func(t time.Time) string { return t.Sub(base).String() }
	switch d := ev.Data.(type) {
	case ThresholdData:
		return fmt.Sprintf("threshold window=%s clicks=%d at=%s", rel(d.WindowStart), d.Clicks, rel(ev.Time))
	case SpikeData:
		return fmt.Sprintf("spike window=%s clicks=%d baseline=%g/%d", rel(d.WindowStart), d.Clicks, d.Baseline, d.BaselineWindows)
	case DigestData:
		return fmt.Sprintf("digest period=%s clicks=%d first=%d", rel(d.PeriodStart), d.Clicks, len(d.FirstClicks))
	}
	return "unknown " + ev.Type
}

func summaries(evs []Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, summary(ev))
	}
	return out
}

func TestThreshold(t *testing.T) {
	cfg := Config{Threshold: &Threshold{Clicks: 3, Window: Duration(time.Hour)}}
	tests := []struct {
		name  string
		steps []step
		want  []string
	}{
		{"below the threshold", clicks(0, time.Minute), nil},
		{"crossing fires once, not for the clicks after it", every(0, time.Minute, 10),
			[]string{"threshold window=0s clicks=3 at=2m0s"}},
		{"each window crossing fires", join(every(0, time.Minute, 4), every(time.Hour, time.Minute, 3)),
			[]string{"threshold window=0s clicks=3 at=2m0s", "threshold window=1h0m0s clicks=3 at=1h2m0s"}},
		{"clicks split by a window boundary do not add up",
			clicks(58*time.Minute, 59*time.Minute, 61*time.Minute, 62*time.Minute), nil},
		{"a late click of a past window is not counted in the current one",
			clicks(time.Hour, time.Hour+time.Minute, 30*time.Minute), nil},
		{"out-of-order clicks within the window count",
			clicks(10*time.Minute, 5*time.Minute, 20*time.Minute), []string{"threshold window=0s clicks=3 at=20m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaries(run(t, cfg, base, tt.steps))
			if tt.want == nil {
				tt.want = []string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("events:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSpike(t *testing.T) {
	cfg := Config{Spike: &Spike{Factor: 3, Window: Duration(10 * time.Minute), BaselineWindows: 3, MinClicks: 5}}
	tests := []struct {
		name  string
		since time.Time
		steps []step
		want  []string
	}{
		{"steady traffic is no spike", base,
			every(0, time.Minute, 60), nil},
		{"a burst over factor times the baseline fires once per window", base,
			join(every(0, 5*time.Minute, 6), every(30*time.Minute, 30*time.Second, 12)),
			[]string{"spike window=30m0s clicks=7 baseline=2/3"}},
		// 2 a window before, factor 3: 6 clicks is not above 6.
		{"equal to factor times the baseline is no spike", base,
			join(every(0, 5*time.Minute, 6), every(30*time.Minute, 10*time.Second, 6)), nil},
		{"below min_clicks never fires even from a zero baseline", base,
			join(clicks(0), every(20*time.Minute, time.Second, 4)), nil},
		{"empty windows are zero in the baseline", base,
			join(clicks(0), every(40*time.Minute, time.Second, 5)),
			[]string{"spike window=40m0s clicks=5 baseline=0/3"}},
		{"no complete window observed: no baseline, no spike", base.Add(5 * time.Minute),
			join(every(6*time.Minute, time.Second, 20)), nil},
		{"baseline is the observed windows only", base.Add(5 * time.Minute),
			join(every(10*time.Minute, time.Minute, 2), every(20*time.Minute, time.Second, 8)),
			[]string{"spike window=20m0s clicks=7 baseline=2/1"}},
		{"the next window may fire again", base,
			join(clicks(0), every(30*time.Minute, time.Second, 5), every(40*time.Minute, time.Second, 30)),
			[]string{"spike window=30m0s clicks=5 baseline=0.3333333333333333/3", "spike window=40m0s clicks=6 baseline=1.6666666666666667/3"}},
		{"a late click lands in the baseline", base,
			join(every(30*time.Minute, time.Second, 5), clicks(25*time.Minute, 25*time.Minute), every(30*time.Minute+time.Minute, time.Second, 3)),
			[]string{"spike window=30m0s clicks=5 baseline=0/3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaries(run(t, cfg, tt.since, tt.steps))
			if tt.want == nil {
				tt.want = []string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("events:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	cfg := Config{Digest: &Digest{Every: Duration(5 * time.Minute), MaxClicks: 2}}
	flush := func(at time.Duration) step { return step{at: at, flush: true} }
	tests := []struct {
		name  string
		steps []step
		want  []string
	}{
		{"nothing before the period ends", join(every(0, time.Second, 10), []step{flush(4 * time.Minute)}), nil},
		{"one digest per period at the watermark", join(every(0, time.Second, 10), []step{flush(5 * time.Minute), flush(6 * time.Minute)}),
			[]string{"digest period=0s clicks=10 first=2"}},
		{"a click of the next period closes the previous", join(every(0, time.Minute, 3), clicks(5*time.Minute)),
			[]string{"digest period=0s clicks=3 first=2"}},
		{"quiet periods send nothing", join(clicks(0), []step{flush(time.Hour)}, clicks(2*time.Hour), []step{flush(3 * time.Hour)}),
			[]string{"digest period=0s clicks=1 first=1", "digest period=2h0m0s clicks=1 first=1"}},
		{"a late click after its period was sent joins the next digest",
			join(clicks(time.Minute), []step{flush(5 * time.Minute)}, clicks(2*time.Minute), []step{flush(10 * time.Minute)}),
			[]string{"digest period=0s clicks=1 first=1", "digest period=5m0s clicks=1 first=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summaries(run(t, cfg, base, tt.steps))
			if tt.want == nil {
				tt.want = []string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("events:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDigestCounts(t *testing.T) {
	cfg := Config{Digest: &Digest{Every: Duration(5 * time.Minute), MaxClicks: 1}}
	st := NewState(base)
	steps := []step{{country: "DE", ref: "mail.google.com"}, {at: time.Second, country: "DE", bot: true}, {at: 2 * time.Second}}
	for i, s := range steps {
		if evs := st.Apply(cfg, click(i, s)); len(evs) != 0 {
			t.Fatalf("click %d: unexpected %v", i, summaries(evs))
		}
	}
	if due, ok := st.DigestDue(); !ok || !due.Equal(base.Add(5*time.Minute)) {
		t.Fatalf("DigestDue = %v, %v; want %v", due, ok, base.Add(5*time.Minute))
	}
	evs := st.Flush(cfg, base.Add(5*time.Minute))
	if len(evs) != 1 {
		t.Fatalf("flush: %d events, want 1", len(evs))
	}
	d := evs[0].Data.(DigestData)
	want := DigestData{
		Link:        Link{LinkID: "lnk_1", Domain: "go.brand.com", Path: "spring"},
		PeriodStart: base, PeriodEnd: base.Add(5 * time.Minute), Clicks: 3, Bots: 1,
		Countries:   map[string]int{"DE": 2, KeyUnknown: 1},
		Devices:     map[string]int{"desktop": 3},
		Referrers:   map[string]int{"mail.google.com": 1, KeyDirect: 2},
		FirstClicks: []ClickSummary{{ClickID: click(0, step{}).EventID, Time: base, Country: "DE", DeviceClass: "desktop", ReferrerHost: "mail.google.com"}},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("digest:\n got %+v\nwant %+v", d, want)
	}
	if evs[0].Key != fmt.Sprintf("click.digest/%d", base.UnixNano()) {
		t.Errorf("key = %q", evs[0].Key)
	}
	if _, ok := st.DigestDue(); ok {
		t.Error("DigestDue after flush: want none pending")
	}
	if !st.Idle(cfg, base.Add(5*time.Minute)) {
		t.Error("Idle after flush: want true")
	}
}

func TestDigestBoundsDistinctKeys(t *testing.T) {
	cfg := Config{Digest: &Digest{Every: Duration(time.Hour)}}.WithDefaults()
	st := NewState(base)
	for i := range MaxDigestKeys + 10 {
		st.Apply(cfg, click(i, step{at: time.Duration(i) * time.Second, ref: fmt.Sprintf("r%d.example", i)}))
	}
	d := st.Flush(cfg, base.Add(time.Hour))[0].Data.(DigestData)
	if len(d.Referrers) != MaxDigestKeys+1 || d.Referrers[KeyOther] != 10 {
		t.Errorf("referrers: %d keys, other=%d; want %d keys, other=10", len(d.Referrers), d.Referrers[KeyOther], MaxDigestKeys+1)
	}
	if len(d.FirstClicks) != DefaultDigestMaxClicks {
		t.Errorf("first clicks: %d, want %d", len(d.FirstClicks), DefaultDigestMaxClicks)
	}
}

func TestKeysAreStableAcrossRuns(t *testing.T) {
	cfg := Config{
		Threshold: &Threshold{Clicks: 2, Window: Duration(time.Hour)},
		Spike:     &Spike{Factor: 2, Window: Duration(10 * time.Minute), BaselineWindows: 2, MinClicks: 2},
		Digest:    &Digest{Every: Duration(5 * time.Minute), MaxClicks: 3},
	}
	steps := join(every(0, time.Minute, 30), every(30*time.Minute, time.Second, 20), []step{{at: 2 * time.Hour, flush: true}})
	a, b := run(t, cfg, base, steps), run(t, cfg, base, steps)
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs differ or are empty: %d vs %d events", len(a), len(b))
	}
	seen := map[string]bool{}
	for _, ev := range a {
		if seen[ev.Key] {
			t.Errorf("key %s emitted twice", ev.Key)
		}
		seen[ev.Key] = true
		if !strings.HasPrefix(ev.Key, ev.Type+"/") {
			t.Errorf("key %s does not start with its type", ev.Key)
		}
	}
}

func TestRuleTurnedOffOrChangedRestarts(t *testing.T) {
	on := Config{Threshold: &Threshold{Clicks: 2, Window: Duration(time.Hour)}}
	st := NewState(base)
	st.Apply(on, click(0, step{}))
	st.Apply(Config{}, click(1, step{at: time.Second})) // off: state dropped
	if st.Threshold != nil {
		t.Fatal("threshold state kept after the rule was turned off")
	}
	if evs := st.Apply(on, click(2, step{at: 2 * time.Second})); len(evs) != 0 {
		t.Fatalf("fired on the first click after re-enabling: %v", summaries(evs))
	}
	changed := Config{Threshold: &Threshold{Clicks: 2, Window: Duration(30 * time.Minute)}}
	if evs := st.Apply(changed, click(3, step{at: 3 * time.Second})); len(evs) != 0 {
		t.Fatalf("fired on the first click after a window change: %v", summaries(evs))
	}
	if evs := st.Apply(changed, click(4, step{at: 4 * time.Second})); len(evs) != 1 {
		t.Fatalf("want one event at the second click of the new window, got %v", summaries(evs))
	}
}
