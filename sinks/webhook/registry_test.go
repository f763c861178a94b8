package webhook

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
)

func openTestRegistry(t *testing.T, dir string, clock *testutil.Clock) *Registry {
	t.Helper()
	r, err := OpenRegistry(RegistryConfig{Dir: dir, Now: clock.Now, DisableAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRegistryCRUDSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	r, err := OpenRegistry(RegistryConfig{Dir: dir, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Create(EndpointSpec{URL: "https://hooks.example.com/in", Events: []string{schemas.EventQRScanCreated, schemas.EventClickCreated, schemas.EventClickCreated},
		Filters: Filters{Domains: []string{"Go.Brand.com"}, ExcludeBots: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.ID, "ep_") || !e.Enabled || e.WorkspaceID != DefaultWorkspace || len(e.Secrets) != 1 ||
		!strings.HasPrefix(e.Secrets[0].Value, "whsec_") || !e.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("created %+v", e)
	}
	if fmt.Sprint(e.Secrets) != "[whsec_[redacted]]" {
		t.Errorf("secrets print as %s", fmt.Sprint(e.Secrets))
	}
	if got := strings.Join(e.Events, ","); got != "click.created,qr_scan.created" {
		t.Errorf("events %s, want sorted and deduplicated", got)
	}
	clock.Advance(time.Minute)
	if _, err := r.Update(e.ID, func(e *RegisteredEndpoint) error { e.URL = "https://hooks.example.com/v2"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Update(e.ID, func(e *RegisteredEndpoint) error { e.Events = []string{"nope"}; return nil }); err == nil ||
		!strings.Contains(err.Error(), "events[0]") {
		t.Errorf("update to an unknown event = %v, want an error naming events[0]", err)
	}
	other, err := r.Create(EndpointSpec{URL: "https://other.example.com/", Events: []string{schemas.EventLinkCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(other.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(other.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete = %v, want ErrNotFound", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	r = openTestRegistry(t, dir, clock)
	got, err := r.Get(e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "https://hooks.example.com/v2" || got.Secrets[0] != e.Secrets[0] || !got.UpdatedAt.Equal(clock.Now()) ||
		got.Filters.Domains[0] != "go.brand.com" {
		t.Errorf("after reopen: %+v", got)
	}
	if l := r.List(""); len(l) != 1 || l[0].ID != e.ID {
		t.Errorf("List = %+v, want only %s", l, e.ID)
	}
}

func TestRegistryRotateSecretKeepsPreviousForGrace(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	r := openTestRegistry(t, t.TempDir(), clock)
	e, err := r.Create(EndpointSpec{URL: "https://hooks.example.com/", Events: []string{schemas.EventClickCreated}})
	if err != nil {
		t.Fatal(err)
	}
	old := e.Secrets[0].Value
	rot, err := r.RotateSecret(e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rot.Secrets[0].Value == old || rot.Secrets[1].Value != old {
		t.Fatalf("after rotation secrets are %d, want new then old", len(rot.Secrets))
	}
	if s := rot.Endpoint(clock.Now().Add(23 * time.Hour)).Secrets; len(s) != 2 || s[1] != old {
		t.Errorf("within the grace period %d secrets sign, want both", len(s))
	}
	if s := rot.Endpoint(clock.Now().Add(DefaultRotationGrace)).Secrets; len(s) != 1 || s[0] != rot.Secrets[0].Value {
		t.Errorf("after the grace period %d secrets sign, want the new one only", len(s))
	}
}

func TestFiltersMatch(t *testing.T) {
	tests := []struct {
		name   string
		f      Filters
		mutate func(*schemas.EnrichedClick)
		want   bool
	}{
		{"zero passes all", Filters{}, nil, true},
		{"exclude bots drops a bot", Filters{ExcludeBots: true}, func(c *schemas.EnrichedClick) { c.Bot = true }, false},
		{"exclude bots keeps a human", Filters{ExcludeBots: true}, nil, true},
		{"tag match", Filters{Tags: []string{"x", "vip"}}, nil, true},
		{"tag miss", Filters{Tags: []string{"internal"}}, nil, false},
		{"untagged click misses a tag filter", Filters{Tags: []string{"vip"}}, func(c *schemas.EnrichedClick) { c.Tags = nil }, false},
		{"link id", Filters{LinkIDs: []string{"lnk_spring"}}, nil, true},
		{"other link id", Filters{LinkIDs: []string{"lnk_fall"}}, nil, false},
		{"domain case-insensitive", Filters{Domains: []string{"go.brand.com"}}, func(c *schemas.EnrichedClick) { c.Domain = "GO.brand.com" }, true},
		{"all lists must match", Filters{Tags: []string{"vip"}, LinkIDs: []string{"lnk_fall"}}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClick()
			if tt.mutate != nil {
				tt.mutate(c)
			}
			if got := tt.f.Match(c); got != tt.want {
				t.Fatalf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRegistryMatchSubscriptions(t *testing.T) {
	clock := testutil.NewClock(time.Now())
	r := openTestRegistry(t, t.TempDir(), clock)
	mk := func(events ...string) string {
		e, err := r.Create(EndpointSpec{URL: "https://h.example.com/", Events: events})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	clicks, qr, _ := mk(schemas.EventClickCreated), mk(schemas.EventQRScanCreated), mk(schemas.EventLinkCreated)
	off := mk(schemas.EventClickCreated)
	if _, _, err := r.Disable(off, "test"); err != nil {
		t.Fatal(err)
	}
	c := testClick()
	c.WorkspaceID = ""
	if got := r.ClickTargets(c, clock.Now()).Click; len(got) != 1 || got[0].ID != clicks {
		t.Errorf("click matched %+v, want only %s", got, clicks)
	}
	c.Type = schemas.ClickTypeQRScan
	if got := r.ClickTargets(c, clock.Now()).Click; len(got) != 1 || got[0].ID != qr {
		t.Errorf("qr scan matched %+v, want only %s", got, qr)
	}
	c.WorkspaceID = "ws_other"
	if got := r.ClickTargets(c, clock.Now()).Click; len(got) != 0 {
		t.Errorf("another workspace's click matched %+v", got)
	}
}

func TestRegistryRecordAttemptAutoDisables(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	r := openTestRegistry(t, t.TempDir(), clock)
	e, err := r.Create(EndpointSpec{URL: "https://h.example.com/", Events: []string{schemas.EventClickCreated}})
	if err != nil {
		t.Fatal(err)
	}
	msg := testMessage(t)
	fail := func(at time.Time) string {
		t.Helper()
		reason, err := r.RecordAttempt(Result{EndpointID: e.ID, MessageID: msg.ID, Attempted: at, Status: 500,
			Outcome: OutcomeRetry, Err: errors.New("answered 500")}, 1, msg)
		if err != nil {
			t.Fatal(err)
		}
		return reason
	}
	start := clock.Now()
	if reason := fail(start); reason != "" {
		t.Fatalf("first failure disables: %s", reason)
	}
	if _, err := r.RecordAttempt(Result{EndpointID: e.ID, MessageID: msg.ID, Attempted: start.Add(30 * time.Minute),
		Status: 200, Outcome: OutcomeDelivered}, 2, msg); err != nil {
		t.Fatal(err)
	}
	if reason := fail(start.Add(50 * time.Minute)); reason != "" {
		t.Fatalf("a delivery resets the failure window, yet: %s", reason)
	}
	if reason := fail(start.Add(100 * time.Minute)); reason != "" {
		t.Fatalf("disabled within DisableAfter of the first failure: %s", reason)
	}
	if reason := fail(start.Add(111 * time.Minute)); !strings.Contains(reason, "every attempt failed") {
		t.Fatalf("reason %q, want auto-disable after an hour of failures", reason)
	}
	got, _ := r.Get(e.ID)
	if got.ConsecutiveFailures != 3 || !got.FirstFailureAt.Equal(start.Add(50*time.Minute)) {
		t.Errorf("failure counters %d since %s", got.ConsecutiveFailures, got.FirstFailureAt)
	}

	all, err := r.Deliveries(DeliveryQuery{EndpointID: e.ID})
	if err != nil || len(all) != 5 {
		t.Fatalf("Deliveries = %d entries, %v; want 5", len(all), err)
	}
	// the API's order: newest first, and a limit keeps the newest
	for _, q := range []DeliveryQuery{{EndpointID: e.ID, NewestFirst: true, Limit: 2}, {NewestFirst: true, Limit: 2}} {
		newest, err := r.Deliveries(q)
		if err != nil || len(newest) != 2 || !newest[0].Time.Equal(all[4].Time) || !newest[1].Time.Equal(all[3].Time) {
			t.Errorf("Deliveries(%+v) = %+v, %v; want the two newest of %+v, newest first", q, newest, err, all)
		}
	}
	failed, _ := r.Deliveries(DeliveryQuery{EndpointID: e.ID, Status: "failed"})
	delivered, _ := r.Deliveries(DeliveryQuery{Status: "delivered"})
	if len(failed) != 4 || len(delivered) != 1 || delivered[0].Attempt != 2 || delivered[0].EventType != schemas.EventClickCreated {
		t.Errorf("failed %d delivered %+v", len(failed), delivered)
	}
	if _, err := r.Deliveries(DeliveryQuery{Status: "weird"}); err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("bad status = %v", err)
	}
	ids, err := r.FailedSince(e.ID, start.Add(40*time.Minute))
	if err != nil || len(ids) != 1 || ids[0] != msg.ID {
		t.Errorf("FailedSince = %v, %v", ids, err)
	}
	if ids, _ := r.FailedSince(e.ID, start.Add(2*time.Hour)); len(ids) != 0 {
		t.Errorf("FailedSince after the last attempt = %v", ids)
	}
	m, err := r.Message(msg.ID)
	if err != nil || string(m.Body) != string(msg.Body) || m.Type != msg.Type {
		t.Errorf("Message = %+v, %v", m, err)
	}
}

func TestRegistryConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		cfg    RegistryConfig
		errHas string
	}{
		{"ok", RegistryConfig{Dir: "x"}, ""},
		{"no dir", RegistryConfig{}, "dir"},
		{"negative disable", RegistryConfig{Dir: "x", DisableAfter: -1}, "disable_after"},
		{"negative grace", RegistryConfig{Dir: "x", RotationGrace: -1}, "rotation_grace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.WithDefaults().Validate()
			if (err == nil) != (tt.errHas == "") || (err != nil && !strings.Contains(err.Error(), tt.errHas)) {
				t.Fatalf("Validate = %v, want %q", err, tt.errHas)
			}
		})
	}
}

func BenchmarkRegistryMatch(b *testing.B) {
	r, err := OpenRegistry(RegistryConfig{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for i := range 100 {
		tag := fmt.Sprint("t", i)
		if _, err := r.Create(EndpointSpec{URL: "https://h.example.com/", Events: []string{schemas.EventClickCreated},
			Filters: Filters{Tags: []string{tag}}}); err != nil {
			b.Fatal(err)
		}
	}
	c := testClick()
	c.WorkspaceID, c.Tags = "", []string{"t7"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if len(r.ClickTargets(c, now).Click) != 1 {
			b.Fatal("want one match")
		}
	}
}
