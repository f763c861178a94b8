package stage

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/ingest/record/recordtest"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// hangingServer accepts every request and never answers it, until the
// test ends.
type hangingServer struct {
	srv  *httptest.Server
	hits atomic.Int64
}

// newHangingServer starts one. Create it after the fixture: its cleanup
// (release the requests, then close) must run before the stage's Close,
// which waits for the attempts in flight.
func newHangingServer(t testing.TB) *hangingServer {
	t.Helper()
	hs := &hangingServer{}
	release := make(chan struct{})
	hs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.hits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(func() {
		close(release)
		hs.srv.Close()
	})
	return hs
}

// workspaceEndpoint registers url for click.created in workspace ws.
func (f *webhookFixture) workspaceEndpoint(ws, url string) webhook.RegisteredEndpoint {
	f.t.Helper()
	e, err := f.reg.Create(webhook.EndpointSpec{WorkspaceID: ws, URL: url + "/hook", Events: []string{schemas.EventClickCreated}})
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

// workspaceClick is a click on a link of workspace ws with a fresh event id.
func (f *webhookFixture) workspaceClick(ws string) (record.Record, string) {
	id := uuid.Must(uuid.NewV7()).String()
	r, _ := f.click(func(c *schemas.EnrichedClick) { c.WorkspaceID, c.EventID, c.LinkID = ws, id, "lnk_"+ws })
	return r, id
}

// TestWebhookHangingEndpointDelaysOnlyItself is issue 11's probe in
// process: workspace A's endpoint accepts connections and never answers,
// and A sends hundreds of clicks; workspace B's endpoint is healthy. The
// Deliverer's timeout is an hour, so a handler that waited for A's
// attempts would never return. What must hold, with no clock involved:
// every batch's B clicks are delivered by the time its handler returns;
// only the first batch waits out the attempt budget; A never has more
// requests hanging than its lane's concurrency; and every one of A's
// messages walks the retry schedule to the dead-letter topic.
func TestWebhookHangingEndpointDelaysOnlyItself(t *testing.T) {
	const batches, hangingPerBatch, healthyPerBatch = 20, 20, 5 // 400 and 100 events
	f := newWebhookFixtureWith(t, time.Hour, func(s *Config, d *webhook.Config) {
		d.Timeout = time.Hour
		// Long enough for the healthy endpoint to answer within it on a
		// busy machine; only the first batch with A's clicks spends it.
		s.AttemptBudget = 2 * time.Second
	})
	hang := newHangingServer(t)
	healthy := newHookReceiver(t, nil)
	epA := f.workspaceEndpoint("ws_a", hang.srv.URL)
	epB := f.workspaceEndpoint("ws_b", healthy.srv.URL)
	healthy.secrets = []string{epB.Secrets[0].Value}

	wantA, wantB := map[string]bool{}, map[string]bool{}
	for b := range batches {
		var batch []record.Record
		for range hangingPerBatch { // A's clicks first: submitted before B's
			r, id := f.workspaceClick("ws_a")
			batch, wantA[id] = append(batch, r), true
		}
		for range healthyPerBatch {
			r, id := f.workspaceClick("ws_b")
			batch, wantB[id] = append(batch, r), true
		}
		f.handle(batch...)
		if got, _ := healthy.requests(); len(got) != (b+1)*healthyPerBatch {
			t.Fatalf("after batch %d the healthy endpoint has %d requests, want %d", b, len(got), (b+1)*healthyPerBatch)
		}
	}
	if n := f.stage.spent.Load(); n != 1 {
		t.Errorf("%d handler calls waited out the attempt budget, want 1 (the first with A's clicks)", n)
	}

	got, bad := healthy.requests()
	if len(bad) != 0 {
		t.Fatalf("healthy receiver refused signatures: %v", bad)
	}
	for _, g := range got {
		if !wantB[g.ID] {
			t.Errorf("healthy endpoint got unexpected webhook-id %s", g.ID)
		}
		delete(wantB, g.ID)
	}
	if len(wantB) != 0 {
		t.Errorf("%d of B's events not delivered", len(wantB))
	}

	testutil.WaitFor(t, "every A message dead-lettered", func() bool {
		n := 0
		for _, r := range f.dead() {
			if recordtest.Header(r, HeaderWebhookEndpoint) == epA.ID {
				n++
			}
		}
		return n >= len(wantA)
	})
	for _, r := range f.dead() {
		id := recordtest.Header(r, HeaderWebhookMessage)
		if recordtest.Header(r, HeaderWebhookEndpoint) != epA.ID || !wantA[id] {
			t.Errorf("unexpected dead letter: endpoint %s message %s", recordtest.Header(r, HeaderWebhookEndpoint), id)
		}
		delete(wantA, id)
	}
	if len(wantA) != 0 {
		t.Errorf("%d of A's messages not dead-lettered", len(wantA))
	}
	if n := hang.hits.Load(); n < 1 || n > webhook.DefaultConcurrency {
		t.Errorf("hanging endpoint got %d requests, want 1 to %d (its lane's concurrency)", n, webhook.DefaultConcurrency)
	}
	ds, err := f.reg.Deliveries(webhook.DeliveryQuery{EndpointID: epB.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != batches*healthyPerBatch {
		t.Errorf("healthy endpoint log has %d entries, want %d", len(ds), batches*healthyPerBatch)
	}
	for _, d := range ds {
		if d.Outcome != webhook.OutcomeDelivered.String() {
			t.Errorf("healthy endpoint log: %+v", d)
		}
	}
}

func TestWebhookConfigValidate(t *testing.T) {
	base := func() Config {
		return Config{Registry: &webhook.Registry{}, Out: &recordtest.Producer{}}
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		errHas []string
	}{
		{"defaults", func(*Config) {}, nil},
		{"negative budget", func(c *Config) { c.AttemptBudget = -time.Second }, []string{"attempt_budget"}},
		{"bad dispatcher", func(c *Config) { c.Dispatcher = webhook.DispatcherConfig{Concurrency: -1, QueueLen: -2} },
			[]string{"dispatcher: concurrency", "queue_len"}},
		{"every problem at once", func(c *Config) { c.AttemptBudget, c.AlertFlushLag = -1, -1 },
			[]string{"attempt_budget", "alert_flush_lag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			c.Sender = &webhook.Deliverer{}
			tt.mutate(&c)
			err := c.withDefaults().Validate()
			if (err == nil) != (len(tt.errHas) == 0) {
				t.Fatalf("Validate = %v, want errors naming %q", err, tt.errHas)
			}
			for _, want := range tt.errHas {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate = %v, want it to name %q", err, want)
				}
			}
		})
	}
	if c := base().withDefaults(); c.AttemptBudget != DefaultAttemptBudget {
		t.Errorf("default attempt budget %s, want %s", c.AttemptBudget, DefaultAttemptBudget)
	}
}
