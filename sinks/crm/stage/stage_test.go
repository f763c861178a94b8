package stage_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/ingest/record/recordtest"
	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot/hubspotfake"
	"github.com/clicktrail/clicktrail/sinks/crm/pipedrive"
	"github.com/clicktrail/clicktrail/sinks/crm/salesforce"
	"github.com/clicktrail/clicktrail/sinks/crm/stage"
)

const evName = "pe1_click"

type fixture struct {
	reg *crm.Registry
	st  *stage.Stage
	out *recordtest.Producer
}

func newFixture(t testing.TB, budget time.Duration) *fixture {
	t.Helper()
	ring, err := seal.NewRing(seal.NewKey("k1"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := crm.OpenRegistry(crm.RegistryConfig{Dir: t.TempDir(), Secrets: ring,
		Kinds: []crm.Kind{hubspot.Kind{}, salesforce.Kind{}, pipedrive.Kind{}}})
	if err != nil {
		t.Fatal(err)
	}
	out := &recordtest.Producer{}
	st, err := stage.New(stage.Config{Registry: reg, Client: &http.Client{Timeout: 30 * time.Second}, Out: out, AttemptBudget: budget})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st.Close(ctx)
		reg.Close()
	})
	return &fixture{reg: reg, st: st, out: out}
}

func (f *fixture) hubspot(t testing.TB, ws string, hs *hubspotfake.Server) crm.Integration {
	t.Helper()
	in, err := f.reg.Create(crm.Integration{WorkspaceID: ws, CRM: "hubspot", Events: []string{crm.EventClick},
		Settings:    map[string]string{"base_url": hs.URL, "click_event": evName},
		Credentials: map[string]string{"token": "tok"},
		Mapping:     crm.Mapping{Click: map[string]string{"utm_campaign": "utm_campaign"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func clickRecord(t testing.TB, ws, contact string) record.Record {
	t.Helper()
	c := schemas.EnrichedClick{V: 1, EventID: uuid.Must(uuid.NewV7()).String(), Type: "click", Time: time.Now().UTC(),
		WorkspaceID: ws, LinkID: "lnk1", Domain: "go.brand.com", Path: "spring", Destination: "https://example.com",
		IPPrefix: "203.0.113.0/24", DeviceType: "desktop", ContactID: contact, UTM: schemas.UTM{Campaign: "spring"}}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return record.Record{Topic: schemas.TopicClicksEnriched, Value: b}
}

func TestClickToTimelineOnceAcrossRedelivery(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	hs := hubspotfake.New("tok", evName)
	defer hs.Close()
	c := hs.AddContact(nil)
	f.hubspot(t, "ws_a", hs)
	batch := []record.Record{clickRecord(t, "ws_a", c), clickRecord(t, "ws_a", ""), clickRecord(t, "ws_b", c)}
	for range 2 { // the redelivery after a crash before the commit
		if err := f.st.Clicks()(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	occ := hs.Occurrences()
	if len(occ) != 1 || occ[0].ObjectID != c || occ[0].Properties["utm_campaign"] != "spring" {
		t.Fatalf("occurrences %+v, want the one click of ws_a's contact", occ)
	}
	if n := len(f.out.Records()); n != 0 {
		t.Errorf("%d records parked or dead-lettered", n)
	}
}

func TestFailuresParkOrDeadLetter(t *testing.T) {
	tests := []struct {
		name       string
		fault      func(hs *hubspotfake.Server)
		topic      string
		attempt    string
		notBefore  time.Duration // at least, from now
		errHas     string
		secondCall bool // a second batch right after reaches the CRM
	}{
		{"502 retries on step 1", func(hs *hubspotfake.Server) { hs.Push(hubspotfake.ServerError(502)) }, stage.RetryTopic + ".1", "2", 4 * time.Second, "", true},
		{"429 pauses the integration", func(hs *hubspotfake.Server) { hs.Push(hubspotfake.RateLimited(120)) }, stage.RetryTopic + ".1", "1", 119 * time.Second, "", false},
		{"permanent 400 dead-letters with the CRM's error", func(hs *hubspotfake.Server) {
			hs.Push(crmFault(400, `{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR"}`))
		}, stage.DLQTopic, "1", 0, "VALIDATION_ERROR: Property values were not valid", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 5*time.Second)
			hs := hubspotfake.New("tok", evName)
			defer hs.Close()
			c := hs.AddContact(nil)
			in := f.hubspot(t, "ws_a", hs)
			tt.fault(hs)
			if err := f.st.Clicks()(context.Background(), []record.Record{clickRecord(t, "ws_a", c)}); err != nil {
				t.Fatal(err)
			}
			recs := f.out.Records()
			if len(recs) != 1 || recs[0].Topic != tt.topic || recordtest.Header(recs[0], stage.HeaderAttempt) != tt.attempt ||
				recordtest.Header(recs[0], stage.HeaderIntegration) != in.ID {
				t.Fatalf("records %+v", recs)
			}
			if tt.errHas != "" && !contains(recordtest.Header(recs[0], record.HeaderDLQError), tt.errHas) {
				t.Errorf("dead letter error %q, want %q", recordtest.Header(recs[0], record.HeaderDLQError), tt.errHas)
			}
			if tt.notBefore > 0 {
				ms := recordtest.Header(recs[0], stage.HeaderNotBefore)
				var v int64
				fmt.Sscan(ms, &v)
				if d := time.Until(time.UnixMilli(v)); d < tt.notBefore {
					t.Errorf("not before in %s, want at least %s", d, tt.notBefore)
				}
			}
			calls := hs.Calls("POST /events/v3/send/batch")
			if err := f.st.Clicks()(context.Background(), []record.Record{clickRecord(t, "ws_a", c)}); err != nil {
				t.Fatal(err)
			}
			if got := hs.Calls("POST /events/v3/send/batch") > calls; got != tt.secondCall {
				t.Errorf("second batch reached the CRM: %v, want %v", got, tt.secondCall)
			}
		})
	}
}

// TestPauseIsPerIntegration: one workspace's CRM answers 429; another
// workspace's integration is written at once, in the same batch and after.
func TestPauseIsPerIntegration(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	limited, healthy := hubspotfake.New("tok", evName), hubspotfake.New("tok", evName)
	defer limited.Close()
	defer healthy.Close()
	cl, ch := limited.AddContact(nil), healthy.AddContact(nil)
	f.hubspot(t, "ws_limited", limited)
	f.hubspot(t, "ws_healthy", healthy)
	limited.Push(hubspotfake.RateLimited(600))
	for round := range 3 {
		batch := []record.Record{clickRecord(t, "ws_limited", cl), clickRecord(t, "ws_healthy", ch)}
		if err := f.st.Clicks()(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		if n := len(healthy.Occurrences()); n != round+1 {
			t.Fatalf("round %d: healthy CRM holds %d events", round, n)
		}
	}
	if n := limited.Calls("POST /events/v3/send/batch"); n != 1 {
		t.Errorf("the paused CRM was called %d times, want 1 (the 429)", n)
	}
	if n := len(f.out.Records()); n != 3 {
		t.Errorf("%d parked records, want the paused integration's 3", n)
	}
}

// TestRetriesDeliver: a parked event, due, is written by the retry handler.
func TestRetriesDeliver(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	hs := hubspotfake.New("tok", evName)
	defer hs.Close()
	c := hs.AddContact(nil)
	f.hubspot(t, "ws_a", hs)
	hs.Push(hubspotfake.ServerError(503))
	if err := f.st.Clicks()(context.Background(), []record.Record{clickRecord(t, "ws_a", c)}); err != nil {
		t.Fatal(err)
	}
	parked := f.out.Records()[0]
	// make it due now
	for i, h := range parked.Headers {
		if h.Key == stage.HeaderNotBefore {
			parked.Headers[i].Value = []byte(fmt.Sprint(time.Now().UnixMilli()))
		}
	}
	for range 2 { // and redelivered: still one occurrence
		if err := f.st.Retries()(context.Background(), []record.Record{parked}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(hs.Occurrences()); n != 1 {
		t.Fatalf("%d occurrences, want 1", n)
	}
}

func crmFault(status int, body string) crmfakeFault { return crmfakeFault{Status: status, Body: body} }
