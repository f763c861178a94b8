package pipedrive_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/pipedrive"
	"github.com/clicktrail/clicktrail/sinks/crm/pipedrive/pipedrivefake"
)

func open(t *testing.T, f *pipedrivefake.Server) crm.Adapter {
	t.Helper()
	s := crm.Spec{Settings: map[string]string{"base_url": f.URL, "person_field": "abc123_contact"},
		Credentials: map[string]string{"api_token": "pd-token"},
		Mapping:     crm.Mapping{Click: map[string]string{"note": "utm_campaign", "contact.abc123_last_link": "short_url"}}}
	if err := (pipedrive.Kind{}).Validate(s); err != nil {
		t.Fatal(err)
	}
	a, err := (pipedrive.Kind{}).Open(s, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func click(id, contact string) crm.Event {
	return crm.Event{ID: id, Type: crm.EventClick, ContactID: contact, Time: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC),
		Fields: map[string]string{"short_url": "https://go.brand.com/" + id, "utm_campaign": "spring"}}
}

func TestSearchOrCreateAndActivity(t *testing.T) {
	f := pipedrivefake.New("pd-token")
	defer f.Close()
	known := f.AddPerson(map[string]any{"name": "Ada", "abc123_contact": "ct_1"})
	a := open(t, f)
	errs := a.Deliver(context.Background(), []crm.Event{click("e1", "ct_1"), click("e2", "ct_2"), click("e3", "ct_2")})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	acts := f.Activities()
	if len(acts) != 3 || acts[0]["person_id"] != float64(known) || acts[0]["note"] != "spring" || acts[0]["due_date"] != "2026-03-01" ||
		acts[0]["done"] != float64(1) || acts[0]["subject"] != "Clicked https://go.brand.com/e1" {
		t.Fatalf("activities %v", acts)
	}
	if len(f.Persons()) != 2 || f.Calls("POST /v1/persons") != 1 || f.Calls("GET /v1/persons/search") != 2 {
		t.Errorf("persons %v; %d creates, %d searches", f.Persons(), f.Calls("POST /v1/persons"), f.Calls("GET /v1/persons/search"))
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *pipedrivefake.Server)
		want  crm.Outcome
		pause func(time.Duration) bool
	}{
		{"429 with x-ratelimit-reset", func(f *pipedrivefake.Server) { f.Push(pipedrivefake.RateLimited(2)) }, crm.Paused,
			func(d time.Duration) bool { return d == 2*time.Second }},
		{"daily budget spent", func(f *pipedrivefake.Server) { f.Push(pipedrivefake.DailyBudgetSpent()) }, crm.Paused,
			func(d time.Duration) bool { return d > 0 && d <= 24*time.Hour }},
		{"revoked token", func(f *pipedrivefake.Server) { f.SetToken("other") }, crm.Retry, nil},
		{"500", func(f *pipedrivefake.Server) { f.Push(crmfakeFault(500, `{"success":false,"error":"oops"}`)) }, crm.Retry, nil},
		{"409 duplicate", func(f *pipedrivefake.Server) { f.Push(crmfakeFault(409, `{"success":false,"error":"duplicate"}`)) }, crm.Failed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := pipedrivefake.New("pd-token")
			defer f.Close()
			f.AddPerson(map[string]any{"name": "Ada", "abc123_contact": "ct_1"})
			tt.setup(f)
			errs := open(t, f).Deliver(context.Background(), []crm.Event{click("e1", "ct_1"), click("e2", "ct_1")})
			got, pause := crm.Classify(errs[0])
			if got != tt.want || (tt.pause != nil && !tt.pause(pause)) {
				t.Fatalf("outcome %d pause %s, want %d (err %v)", got, pause, tt.want, errs[0])
			}
			if tt.want != crm.Failed && errs[1] == nil {
				t.Error("the second event was attempted after the account failed")
			}
		})
	}
}

func TestValidateNamesKeys(t *testing.T) {
	err := (pipedrive.Kind{}).Validate(crm.Spec{Mapping: crm.Mapping{Conversion: map[string]string{"price": "amount"}}})
	if err == nil || !contains(err.Error(), "mapping.conversion.price: not an activity field") || !contains(err.Error(), "credentials.api_token: required") {
		t.Fatalf("Validate = %v", err)
	}
}
