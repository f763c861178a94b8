package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/ingest/record/recordtest"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
	"github.com/clicktrail/clicktrail/webhooksig"
)

// hookReceiver is a real HTTP endpoint that verifies every request with the
// shipped verifier and answers with status(n) for its n-th request.
type hookReceiver struct {
	srv    *httptest.Server
	status func(n int) int

	mu      sync.Mutex
	secrets []string
	got     []hookRequest
	bad     []error
}

type hookRequest struct {
	ID   string
	Body []byte
	At   time.Time // when it was received
}

func newHookReceiver(t *testing.T, status func(n int) int) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{status: status}
	rc.srv = httptest.NewServer(rc)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	err := webhooksig.Verify(rc.secrets, r.Header, body, time.Now(), 0)
	if err != nil {
		rc.bad = append(rc.bad, err)
		rc.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	n := len(rc.got)
	rc.got = append(rc.got, hookRequest{ID: r.Header.Get(webhooksig.HeaderID), Body: body, At: time.Now()})
	rc.mu.Unlock()
	status := http.StatusNoContent
	if rc.status != nil {
		status = rc.status(n)
	}
	w.WriteHeader(status)
}

func (rc *hookReceiver) requests() ([]hookRequest, []error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookRequest(nil), rc.got...), append([]error(nil), rc.bad...)
}

// webhookFixture is the stage on a real registry and a real spool, with
// the retry topic consumed by Retries and the dead-letter topic collected.
type webhookFixture struct {
	t     *testing.T
	reg   *webhook.Registry
	spool *ingest.Spool
	stage *Stage

	mu   sync.Mutex
	dlq  []record.Record
	errs chan error
}

func newWebhookFixture(t *testing.T, disableAfter time.Duration) *webhookFixture {
	t.Helper()
	return newWebhookFixtureWith(t, disableAfter, nil)
}

// newWebhookFixtureWith is newWebhookFixture with the stage's and the
// Deliverer's config changed by mutate. Its defaults: a 10s timeout, a
// schedule of 10ms and 20ms, and an AttemptBudget as long as the timeout,
// so that these tests never see an attempt abandoned on a busy machine.
func newWebhookFixtureWith(t *testing.T, disableAfter time.Duration, mutate func(*Config, *webhook.Config)) *webhookFixture {
	t.Helper()
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: t.TempDir(), DisableAfter: disableAfter})
	if err != nil {
		t.Fatal(err)
	}
	spool, err := ingest.OpenSpool(t.TempDir(), ingest.SpoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dcfg := webhook.Config{AllowPrivate: true, Timeout: 10 * time.Second}
	scfg := Config{
		Registry: reg, Out: spool, AttemptBudget: 10 * time.Second,
		Schedule: webhook.Schedule{Delays: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}},
	}
	if mutate != nil {
		mutate(&scfg, &dcfg)
	}
	d, err := webhook.NewDeliverer(dcfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	scfg.Sender = d
	stage, err := New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	consumers := len(stage.RetryTopics()) + 1
	f := &webhookFixture{t: t, reg: reg, spool: spool, stage: stage, errs: make(chan error, consumers)}
	ctx, cancel := context.WithCancel(context.Background())
	batch := record.BatchOptions{MaxRecords: 100, MaxWait: 5 * time.Millisecond}
	for _, topic := range stage.RetryTopics() {
		go func() { f.errs <- spool.Consumer("retry", topic, batch).Run(ctx, stage.Retries()) }()
	}
	go func() {
		f.errs <- spool.Consumer("dlq", DLQTopic, batch).Run(ctx, func(_ context.Context, recs []record.Record) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.dlq = append(f.dlq, recs...)
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		for range consumers {
			if err := <-f.errs; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("consumer: %v", err)
			}
		}
		if err := stage.Close(context.Background()); err != nil {
			t.Error(err)
		}
		d.Close()
		spool.Close()
		reg.Close()
	})
	return f
}

// endpoint registers rc for events and teaches rc the secret.
func (f *webhookFixture) endpoint(rc *hookReceiver, filters webhook.Filters, events ...string) webhook.RegisteredEndpoint {
	f.t.Helper()
	e, err := f.reg.Create(webhook.EndpointSpec{URL: rc.srv.URL + "/hook", Events: events, Filters: filters})
	if err != nil {
		f.t.Fatal(err)
	}
	rc.mu.Lock()
	rc.secrets = []string{e.Secrets[0].Value}
	rc.mu.Unlock()
	return e
}

func (f *webhookFixture) dead() []record.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]record.Record(nil), f.dlq...)
}

func (f *webhookFixture) click(mutate func(*schemas.EnrichedClick)) (record.Record, *schemas.EnrichedClick) {
	f.t.Helper()
	c := &schemas.EnrichedClick{
		V: schemas.EnrichedClickVersion, EventID: "0193a6f2-7c1e-7b3a-9f00-00000000c11c", Type: schemas.ClickTypeClick,
		Time: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), LinkID: "lnk_1", Domain: "go.brand.com", Path: "spring",
		Destination: "https://example.com/", DeviceType: "desktop",
	}
	if mutate != nil {
		mutate(c)
	}
	v, err := c.Marshal()
	if err != nil {
		f.t.Fatal(err)
	}
	return record.Record{Topic: "clicks.enriched.v1", Value: v}, c
}

func (f *webhookFixture) handle(recs ...record.Record) {
	f.t.Helper()
	if err := f.stage.Clicks()(context.Background(), recs); err != nil {
		f.t.Fatalf("Clicks handler: %v", err)
	}
}

func TestWebhookDownThenUpDeliversOnceWithTheSameID(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, func(n int) int {
		if n < 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	ep := f.endpoint(rc, webhook.Filters{}, schemas.EventClickCreated)
	rec, c := f.click(nil)
	f.handle(rec) // the first attempt fails and is parked: the batch is done

	testutil.WaitFor(t, "the third attempt", func() bool { got, _ := rc.requests(); return len(got) >= 3 })
	got, bad := rc.requests()
	if len(bad) != 0 {
		t.Fatalf("receiver refused signatures: %v", bad)
	}
	for i, g := range got {
		if g.ID != c.EventID {
			t.Errorf("attempt %d: webhook-id %q, want the event id", i+1, g.ID)
		}
	}
	var p struct {
		Type string
		Data schemas.WebhookClick
	}
	if err := json.Unmarshal(got[2].Body, &p); err != nil || p.Type != schemas.EventClickCreated || p.Data.LinkID != "lnk_1" {
		t.Errorf("payload %s (%v)", got[2].Body, err)
	}
	testutil.WaitFor(t, "three logged attempts", func() bool {
		ds, _ := f.reg.Deliveries(webhook.DeliveryQuery{EndpointID: ep.ID})
		return len(ds) == 3
	})
	ds, _ := f.reg.Deliveries(webhook.DeliveryQuery{EndpointID: ep.ID})
	for i, d := range ds {
		wantOutcome, wantStatus := "retry", 503
		if i == 2 {
			wantOutcome, wantStatus = "delivered", 200
		}
		if d.Attempt != i+1 || d.Outcome != wantOutcome || d.Status != wantStatus || d.MessageID != c.EventID {
			t.Errorf("log entry %d: %+v", i, d)
		}
	}
	time.Sleep(50 * time.Millisecond) // longer than the schedule: no fourth attempt may come
	if got, _ := rc.requests(); len(got) != 3 {
		t.Errorf("receiver got %d requests, want exactly 3", len(got))
	}
	if d := f.dead(); len(d) != 0 {
		t.Errorf("%d dead letters", len(d))
	}
}

func TestWebhookAlwaysFailingIsDeadLettered(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, func(int) int { return http.StatusInternalServerError })
	ep := f.endpoint(rc, webhook.Filters{}, schemas.EventClickCreated)
	rec, c := f.click(nil)
	f.handle(rec)

	testutil.WaitFor(t, "a dead letter", func() bool { return len(f.dead()) == 1 })
	d := f.dead()[0]
	if recordtest.Header(d, HeaderWebhookEndpoint) != ep.ID || recordtest.Header(d, HeaderWebhookMessage) != c.EventID ||
		!strings.Contains(recordtest.Header(d, record.HeaderDLQError), "attempt 3 of 3") {
		t.Errorf("dead letter headers %+v", d.Headers)
	}
	if got, _ := rc.requests(); len(got) != 3 {
		t.Errorf("receiver got %d attempts, want the schedule's 3", len(got))
	}
	if e, _ := f.reg.Get(ep.ID); !e.Enabled {
		t.Errorf("endpoint disabled within DisableAfter: %s", e.DisabledReason)
	}
}

func TestWebhookDisablesEndpointAndEmitsEvent(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		disableAfter time.Duration
		reasonHas    string
	}{
		{"410 Gone", http.StatusGone, time.Hour, "410 Gone"},
		{"failing beyond DisableAfter", http.StatusBadGateway, time.Nanosecond, "every attempt failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newWebhookFixture(t, tt.disableAfter)
			failing := newHookReceiver(t, func(int) int { return tt.status })
			watcher := newHookReceiver(t, nil)
			ep := f.endpoint(failing, webhook.Filters{}, schemas.EventClickCreated)
			f.endpoint(watcher, webhook.Filters{}, webhook.EventEndpointDisabled)
			rec, _ := f.click(nil)
			f.handle(rec)

			e, _ := f.reg.Get(ep.ID)
			if e.Enabled || !strings.Contains(e.DisabledReason, tt.reasonHas) {
				t.Fatalf("endpoint enabled %v reason %q, want disabled with %q", e.Enabled, e.DisabledReason, tt.reasonHas)
			}
			testutil.WaitFor(t, "the disabled event", func() bool { got, _ := watcher.requests(); return len(got) == 1 })
			got, bad := watcher.requests()
			var p struct {
				Type string
				Data webhook.EndpointDisabled
			}
			if err := json.Unmarshal(got[0].Body, &p); err != nil || len(bad) != 0 ||
				p.Type != webhook.EventEndpointDisabled || p.Data.EndpointID != ep.ID {
				t.Errorf("event %s (%v, refused %v)", got[0].Body, err, bad)
			}
			testutil.WaitFor(t, "the message dead-lettered", func() bool { return len(f.dead()) == 1 })

			f.handle(rec) // a disabled endpoint gets nothing more
			if got, _ := failing.requests(); len(got) != 1 {
				t.Errorf("disabled endpoint got %d requests, want 1", len(got))
			}
		})
	}
}

func TestWebhookFilters(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	humans, vip, qr := newHookReceiver(t, nil), newHookReceiver(t, nil), newHookReceiver(t, nil)
	f.endpoint(humans, webhook.Filters{ExcludeBots: true}, schemas.EventClickCreated)
	f.endpoint(vip, webhook.Filters{Tags: []string{"vip"}}, schemas.EventClickCreated)
	f.endpoint(qr, webhook.Filters{}, schemas.EventQRScanCreated)

	bot, _ := f.click(func(c *schemas.EnrichedClick) {
		c.EventID, c.Bot, c.Tags = "0193a6f2-7c1e-7b3a-9f00-000000000001", true, []string{"vip"}
	})
	human, _ := f.click(func(c *schemas.EnrichedClick) { c.EventID = "0193a6f2-7c1e-7b3a-9f00-000000000002" })
	scan, _ := f.click(func(c *schemas.EnrichedClick) {
		c.EventID, c.Type = "0193a6f2-7c1e-7b3a-9f00-000000000003", schemas.ClickTypeQRScan
	})
	f.handle(bot, human, scan, record.Record{Topic: "clicks.enriched.v1", Value: []byte("{")})

	ids := func(rc *hookReceiver) string {
		got, _ := rc.requests()
		var s []string
		for _, g := range got {
			s = append(s, g.ID[len(g.ID)-1:])
		}
		return strings.Join(s, ",")
	}
	for _, tt := range []struct {
		name string
		rc   *hookReceiver
		want string
	}{{"exclude bots", humans, "2"}, {"tag vip", vip, "1"}, {"qr scans", qr, "3"}} {
		if got := ids(tt.rc); got != tt.want {
			t.Errorf("%s: received events %q, want %q", tt.name, got, tt.want)
		}
	}
	testutil.WaitFor(t, "the undecodable record dead-lettered", func() bool { return len(f.dead()) == 1 })
}

func TestWebhookReplayResendsWithTheSameID(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, nil)
	ep := f.endpoint(rc, webhook.Filters{}, schemas.EventClickCreated)
	rec, c := f.click(nil)
	f.handle(rec)
	msg, err := f.reg.Message(c.EventID)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := f.reg.Get(ep.ID)
	if err := f.stage.Replay(context.Background(), e.Endpoint(time.Now()), []webhook.Message{msg}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "the replay", func() bool { got, _ := rc.requests(); return len(got) == 2 })
	got, _ := rc.requests()
	if got[0].ID != got[1].ID || string(got[0].Body) != string(got[1].Body) {
		t.Errorf("replay %q differs from the original %q", got[1].ID, got[0].ID)
	}
}

func TestDecodeParkedNamesTheHeader(t *testing.T) {
	tests := []struct {
		name    string
		headers []record.Header
		errHas  string
	}{
		{"none", nil, HeaderWebhookEndpoint},
		{"bad attempt", []record.Header{{Key: HeaderWebhookEndpoint, Value: []byte("ep_1")}, {Key: HeaderWebhookMessage, Value: []byte("m")},
			{Key: HeaderWebhookAttempt, Value: []byte("0")}, {Key: HeaderWebhookNotBefore, Value: []byte("1")}}, HeaderWebhookAttempt},
		{"bad not-before", []record.Header{{Key: HeaderWebhookEndpoint, Value: []byte("ep_1")}, {Key: HeaderWebhookMessage, Value: []byte("m")},
			{Key: HeaderWebhookAttempt, Value: []byte("2")}, {Key: HeaderWebhookNotBefore, Value: []byte("soon")}}, HeaderWebhookNotBefore},
		{"ok", []record.Header{{Key: HeaderWebhookEndpoint, Value: []byte("ep_1")}, {Key: HeaderWebhookMessage, Value: []byte("m")},
			{Key: HeaderWebhookAttempt, Value: []byte("2")}, {Key: HeaderWebhookNotBefore, Value: []byte("1")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeParked(record.Record{Headers: tt.headers})
			if (err == nil) != (tt.errHas == "") || (err != nil && !strings.Contains(err.Error(), tt.errHas)) {
				t.Fatalf("decodeParked = %v, want %q", err, tt.errHas)
			}
		})
	}
}

func FuzzDecodeParked(f *testing.F) {
	f.Add("ep_1", "m", "2", "1700000000000")
	f.Add("", "", "-1", "x")
	f.Fuzz(func(t *testing.T, ep, msg, attempt, notBefore string) {
		p, err := decodeParked(record.Record{Headers: []record.Header{
			{Key: HeaderWebhookEndpoint, Value: []byte(ep)}, {Key: HeaderWebhookMessage, Value: []byte(msg)},
			{Key: HeaderWebhookAttempt, Value: []byte(attempt)}, {Key: HeaderWebhookNotBefore, Value: []byte(notBefore)},
		}})
		if err == nil && (p.endpoint == "" || p.msg.ID == "" || p.attempt < 1) {
			t.Fatalf("accepted %+v", p)
		}
	})
}

// BenchmarkWebhookClicksNoMatch is the stage's cost per click when no
// endpoint subscribes (the common case): decode and match.
func BenchmarkWebhookClicksNoMatch(b *testing.B) {
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	for range 20 {
		if _, err := reg.Create(webhook.EndpointSpec{URL: "https://h.example.com/", Events: []string{schemas.EventClickCreated},
			Filters: webhook.Filters{LinkIDs: []string{"lnk_other"}}}); err != nil {
			b.Fatal(err)
		}
	}
	d, _ := webhook.NewDeliverer(webhook.Config{}, nil)
	defer d.Close()
	stage, err := New(Config{Registry: reg, Sender: d, Out: &recordtest.Producer{}})
	if err != nil {
		b.Fatal(err)
	}
	defer stage.Close(context.Background())
	c := schemas.EnrichedClick{V: 1, EventID: "0193a6f2-7c1e-7b3a-9f00-00000000c11c", Type: "click", Time: time.Now(), LinkID: "lnk_1", Domain: "go.brand.com"}
	v, _ := c.Marshal()
	batch := make([]record.Record, 1000)
	for i := range batch {
		batch[i] = record.Record{Value: v}
	}
	h := stage.Clicks()
	b.ReportAllocs()
	for b.Loop() {
		if err := h(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/click")
}

// BenchmarkWebhookClicksDeliver is the cost per delivered click: message,
// signed attempt to a local receiver, delivery log write (synced).
func BenchmarkWebhookClicksDeliver(b *testing.B) {
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	if _, err := reg.Create(webhook.EndpointSpec{URL: recv.URL, Events: []string{schemas.EventClickCreated}}); err != nil {
		b.Fatal(err)
	}
	d, _ := webhook.NewDeliverer(webhook.Config{AllowPrivate: true}, nil)
	defer d.Close()
	out := &recordtest.Producer{}
	stage, err := New(Config{Registry: reg, Sender: d, Out: out})
	if err != nil {
		b.Fatal(err)
	}
	defer stage.Close(context.Background())
	batch := make([]record.Record, 100)
	for i := range batch {
		c := schemas.EnrichedClick{V: 1, EventID: fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i), Type: "click",
			Time: time.Now(), LinkID: "lnk_1", Domain: "go.brand.com"}
		batch[i].Value, _ = c.Marshal()
	}
	h := stage.Clicks()
	b.ReportAllocs()
	for b.Loop() {
		if err := h(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/click")
	if len(out.Recs) != 0 {
		b.Fatalf("%d attempts parked, want every one delivered", len(out.Recs))
	}
}

func TestWebhookVariantChosen(t *testing.T) {
	f := newWebhookFixture(t, time.Hour)
	rc := newHookReceiver(t, nil)
	f.endpoint(rc, webhook.Filters{}, schemas.EventRuleVariantChosen)

	plain, _ := f.click(func(c *schemas.EnrichedClick) { c.EventID = "0193a6f2-7c1e-7b3a-9f00-000000000011" })
	routed, _ := f.click(func(c *schemas.EnrichedClick) {
		c.EventID, c.Variant = "0193a6f2-7c1e-7b3a-9f00-000000000012", "b"
	})
	f.handle(plain, routed)
	f.handle(routed) // redelivered: the same webhook-id again

	got, bad := rc.requests()
	if len(bad) > 0 || len(got) != 2 || got[0].ID != got[1].ID || got[0].ID == "0193a6f2-7c1e-7b3a-9f00-000000000012" {
		t.Fatalf("got %d requests %v (refused %v): want rule.variant_chosen twice with one derived id", len(got), got, bad)
	}
	var p struct {
		Type string
		Data struct {
			ClickID string `json:"click_id"`
			Variant string
		}
	}
	if err := json.Unmarshal(got[0].Body, &p); err != nil || p.Type != schemas.EventRuleVariantChosen ||
		p.Data.Variant != "b" || p.Data.ClickID != "0193a6f2-7c1e-7b3a-9f00-000000000012" {
		t.Fatalf("payload %s (%v)", got[0].Body, err)
	}
}
