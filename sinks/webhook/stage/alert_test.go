package stage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/ingest/record/recordtest"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
	"github.com/clicktrail/clicktrail/sinks/webhook/alert"
)

var alertBase = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// alertEndpoint registers rc for events with alert rules and filters.
func (f *webhookFixture) alertEndpoint(rc *hookReceiver, rules alert.Config, filters webhook.Filters, events ...string) webhook.RegisteredEndpoint {
	f.t.Helper()
	e, err := f.reg.Create(webhook.EndpointSpec{URL: rc.srv.URL + "/hook", Events: events, Filters: filters, Alerts: rules})
	if err != nil {
		f.t.Fatal(err)
	}
	rc.mu.Lock()
	rc.secrets = []string{e.Secrets[0].Value}
	rc.mu.Unlock()
	return e
}

// alertClicks returns n click records of lnk_1 at alertBase+at[i], with
// offsets from first on, mutated by mutate(i, click) when set.
func (f *webhookFixture) alertClicks(first int64, at []time.Duration, mutate func(int, *schemas.EnrichedClick)) []record.Record {
	f.t.Helper()
	var recs []record.Record
	for i, d := range at {
		rec, _ := f.click(func(c *schemas.EnrichedClick) {
			c.EventID = fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", first+int64(i))
			c.Time = alertBase.Add(d)
			if mutate != nil {
				mutate(i, c)
			}
		})
		rec.Offset = first + int64(i)
		recs = append(recs, rec)
	}
	return recs
}

func minutes(ms ...int) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = time.Duration(m) * time.Minute
	}
	return out
}

func threshold3() alert.Config {
	return alert.Config{Threshold: &alert.Threshold{Clicks: 3, Window: alert.Duration(time.Hour)}}
}

func TestAlertThresholdOncePerWindowWithStableID(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, nil)
	ep := f.alertEndpoint(rc, threshold3(), webhook.Filters{}, alert.EventThreshold)

	recs := f.alertClicks(1, minutes(0, 1, 2, 3, 4), nil)
	f.handle(recs...)
	f.handle(recs...) // redelivered after the save: not counted again

	got, bad := rc.requests()
	if len(bad) != 0 || len(got) != 1 {
		t.Fatalf("receiver got %d alerts (refused %v), want 1", len(got), bad)
	}
	wantID := AlertMessageID(ep.ID, "lnk_1", fmt.Sprintf("%s/%d", alert.EventThreshold, alertBase.UnixNano()))
	if got[0].ID != wantID {
		t.Errorf("webhook-id %s, want %s", got[0].ID, wantID)
	}
	var p struct {
		Type      string
		Timestamp time.Time
		Data      alert.ThresholdData
	}
	if err := json.Unmarshal(got[0].Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != alert.EventThreshold || p.Data.Clicks != 3 || p.Data.LinkID != "lnk_1" || p.Data.ShortURL != "https://go.brand.com/spring" ||
		!p.Timestamp.Equal(alertBase.Add(2*time.Minute)) || !p.Data.WindowEnd.Equal(alertBase.Add(time.Hour)) {
		t.Errorf("payload %s", got[0].Body)
	}
	f.handle(f.alertClicks(6, minutes(61, 62, 63), nil)...) // the next window crosses again
	if got, _ := rc.requests(); len(got) != 2 || got[1].ID == wantID {
		t.Errorf("after the next window: %d alerts, want 2 with distinct ids", len(got))
	}
}

func TestAlertStateSurvivesRestart(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, nil)
	f.alertEndpoint(rc, threshold3(), webhook.Filters{}, alert.EventThreshold)
	f.handle(f.alertClicks(1, minutes(0, 1), nil)...)

	// A second stage on the same registry is the process after a restart.
	restarted, err := New(Config{Registry: f.reg, Sender: f.stage.cfg.Sender, Out: f.spool})
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close(context.Background())
	handle := restarted.Clicks()
	if err := handle(context.Background(), f.alertClicks(1, minutes(0, 1), nil)); err != nil {
		t.Fatal(err) // redelivered uncommitted batch: already counted
	}
	if got, _ := rc.requests(); len(got) != 0 {
		t.Fatalf("%d alerts after two clicks counted once", len(got))
	}
	if err := handle(context.Background(), f.alertClicks(3, minutes(2), nil)); err != nil {
		t.Fatal(err)
	}
	if got, _ := rc.requests(); len(got) != 1 {
		t.Fatalf("%d alerts at the third click, want 1", len(got))
	}
}

func TestAlertExclusions(t *testing.T) {
	tests := []struct {
		name    string
		filters webhook.Filters
		mutate  func(int, *schemas.EnrichedClick)
		want    int
	}{
		{"all counted", webhook.Filters{}, nil, 1},
		{"internal traffic excluded", webhook.Filters{ExcludeInternal: true},
			func(i int, c *schemas.EnrichedClick) { c.Internal = i == 0 }, 0},
		{"internal traffic counted without the exclusion", webhook.Filters{},
			func(i int, c *schemas.EnrichedClick) { c.Internal = i == 0 }, 1},
		{"tagged links excluded", webhook.Filters{ExcludeTags: []string{"test", "internal"}},
			func(i int, c *schemas.EnrichedClick) {
				if i == 1 {
					c.Tags = []string{"spring", "test"}
				}
			}, 0},
		{"bots excluded", webhook.Filters{ExcludeBots: true},
			func(i int, c *schemas.EnrichedClick) { c.Bot = i == 2 }, 0},
		{"other workspace", webhook.Filters{},
			func(_ int, c *schemas.EnrichedClick) { c.WorkspaceID = "ws_other" }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newWebhookFixture(t, time.Hour)
			rc := newHookReceiver(t, nil)
			f.alertEndpoint(rc, threshold3(), tt.filters, alert.EventThreshold)
			f.handle(f.alertClicks(1, minutes(0, 1, 2), tt.mutate)...)
			if got, _ := rc.requests(); len(got) != tt.want {
				t.Errorf("%d alerts, want %d", len(got), tt.want)
			}
		})
	}
}

func TestAlertDigestByWatermarkAndClock(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, nil)
	ep := f.alertEndpoint(rc, alert.Config{}, webhook.Filters{}, alert.EventDigest) // default: every 5m
	f.handle(f.alertClicks(1, minutes(0, 1, 2), func(i int, c *schemas.EnrichedClick) { c.Country = []string{"DE", "DE", "FR"}[i] })...)
	if got, _ := rc.requests(); len(got) != 0 {
		t.Fatalf("%d digests before the period ended", len(got))
	}
	f.handle(f.alertClicks(4, minutes(6), nil)...) // the watermark passes 12:05
	got, _ := rc.requests()
	if len(got) != 1 {
		t.Fatalf("%d digests after the period, want 1", len(got))
	}
	var p struct {
		Type string
		Data alert.DigestData
	}
	if err := json.Unmarshal(got[0].Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != alert.EventDigest || p.Data.Clicks != 3 || p.Data.ShortURL != "https://go.brand.com/spring" || p.Data.Countries["DE"] != 2 || p.Data.Countries["FR"] != 1 ||
		len(p.Data.FirstClicks) != 3 || got[0].ID != AlertMessageID(ep.ID, "lnk_1", fmt.Sprintf("%s/%d", alert.EventDigest, alertBase.UnixNano())) {
		t.Errorf("digest %s (id %s)", got[0].Body, got[0].ID)
	}

	// No more clicks: the clock sends the pending period.
	if err := f.stage.FlushAlerts(context.Background(), alertBase.Add(9*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := rc.requests(); len(got) != 1 {
		t.Fatalf("flushed the 12:05 period before it ended: %d digests", len(got))
	}
	if err := f.stage.FlushAlerts(context.Background(), alertBase.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := rc.requests(); len(got) != 2 {
		t.Fatalf("%d digests after the clock passed 12:10, want 2", len(got))
	}
	states, _, err := f.reg.AlertStates()
	if err != nil || len(states) != 0 {
		t.Errorf("alert states after everything was sent: %d (%v), want the idle state forgotten", len(states), err)
	}
}

func TestAlertRetriedWithTheSameID(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, func(n int) int {
		if n == 0 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	f.alertEndpoint(rc, alert.Config{Spike: &alert.Spike{Factor: 2, Window: alert.Duration(time.Minute), BaselineWindows: 2, MinClicks: 3}},
		webhook.Filters{}, alert.EventSpike)
	// The endpoint was created at the fixture's wall clock, later than
	// alertBase: it observes windows from then, so use times after it.
	now := time.Now().UTC().Truncate(time.Minute).Add(2 * time.Minute)
	var recs []record.Record
	for i := range 4 {
		rec, _ := f.click(func(c *schemas.EnrichedClick) {
			c.EventID = fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i)
			c.Time = now.Add(time.Duration(i) * time.Second)
		})
		rec.Offset = int64(i + 1)
		recs = append(recs, rec)
	}
	f.handle(recs...) // the spike's first attempt fails and is parked
	testutil.WaitFor(t, "the retry", func() bool { got, _ := rc.requests(); return len(got) == 2 })
	got, _ := rc.requests()
	if got[0].ID != got[1].ID {
		t.Errorf("retry id %s, want the first attempt's %s", got[1].ID, got[0].ID)
	}
	var p struct{ Type string }
	if err := json.Unmarshal(got[1].Body, &p); err != nil || p.Type != alert.EventSpike {
		t.Errorf("payload %s", got[1].Body)
	}
}

func TestAlertSubscriptionNeedsItsRule(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	_, err := f.reg.Create(webhook.EndpointSpec{URL: "https://hooks.example.com/", Events: []string{alert.EventSpike}})
	if err == nil {
		t.Fatal("created an alert.spike subscription without alerts.spike")
	}
	if want := "alerts.spike"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
}

func TestLinkEventsDelivered(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, nil)
	other := newHookReceiver(t, nil)
	f.endpoint(rc, webhook.Filters{}, schemas.EventLinkCreated, schemas.EventLinkDeleted)
	f.endpoint(other, webhook.Filters{}, schemas.EventLinkUpdated)
	ev := `{"v":1,"id":"0193a6f2-7c1e-7b3a-9f00-0000000011ee","type":"link.created","timestamp":"2026-11-23T12:00:00Z",` +
		`"workspace_id":"default","data":{"id":"lnk_spring","domain":"go.brand.com","path":"spring"}}`
	recs := []record.Record{
		{Topic: schemas.TopicLinkEvents, Key: []byte("lnk_spring"), Value: []byte(ev)},
		{Topic: schemas.TopicLinkEvents, Key: []byte("lnk_bad"), Value: []byte(`{"v":1}`)},
	}
	if err := f.stage.LinkEvents()(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	got, bad := rc.requests()
	if len(got) != 1 || len(bad) != 0 || got[0].ID != "0193a6f2-7c1e-7b3a-9f00-0000000011ee" {
		t.Fatalf("receiver got %d (refused %v)", len(got), bad)
	}
	var p struct {
		Type string
		Data struct{ ID, Path string }
	}
	if err := json.Unmarshal(got[0].Body, &p); err != nil || p.Type != schemas.EventLinkCreated || p.Data.ID != "lnk_spring" {
		t.Errorf("payload %s (%v)", got[0].Body, err)
	}
	if got, _ := other.requests(); len(got) != 0 {
		t.Errorf("an endpoint not subscribed to link.created got %d", len(got))
	}
	testutil.WaitFor(t, "the bad record dead-lettered", func() bool { return len(f.dead()) == 1 })
}

// BenchmarkWebhookClicksAlerts: batches of 1000 clicks over 100 links
// feeding one endpoint's threshold, spike and digest rules (none fires),
// saved once per batch: the per-click cost of alerts, and one synced
// pebble write per batch.
func BenchmarkWebhookClicksAlerts(b *testing.B) {
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.Create(webhook.EndpointSpec{URL: "https://h.example.com/",
		Events: []string{alert.EventThreshold, alert.EventSpike, alert.EventDigest},
		Alerts: alert.Config{
			Threshold: &alert.Threshold{Clicks: 1 << 30, Window: alert.Duration(time.Hour)},
			Spike:     &alert.Spike{Factor: 1e9, Window: alert.Duration(10 * time.Minute), BaselineWindows: 6, MinClicks: 1 << 30},
			Digest:    &alert.Digest{Every: alert.Duration(24 * time.Hour)},
		}}); err != nil {
		b.Fatal(err)
	}
	d, _ := webhook.NewDeliverer(webhook.Config{}, nil)
	defer d.Close()
	stage, err := New(Config{Registry: reg, Sender: d, Out: &recordtest.Producer{}})
	if err != nil {
		b.Fatal(err)
	}
	defer stage.Close(context.Background())
	batch := make([]record.Record, 1000)
	for i := range batch {
		c := schemas.EnrichedClick{V: 1, EventID: "0193a6f2-7c1e-7b3a-9f00-00000000c11c", Type: "click",
			Time: alertBase.Add(time.Duration(i) * time.Millisecond), LinkID: fmt.Sprint("lnk_", i%100), Domain: "go.brand.com", DeviceType: "mobile"}
		v, _ := c.Marshal()
		batch[i] = record.Record{Topic: "clicks.enriched.v1", Value: v}
	}
	h := stage.Clicks()
	off := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch {
			off++
			batch[i].Offset = off
		}
		if err := h(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/click")
}
