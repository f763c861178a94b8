package salesforce_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/salesforce"
	"github.com/clicktrail/clicktrail/sinks/crm/salesforce/salesforcefake"
)

func setup(t *testing.T) (*salesforcefake.Server, crm.Adapter) {
	t.Helper()
	f := salesforcefake.New("00Dfake!first", "refresh-1", "client-1", "Clicktrail_Contact_Id__c", "Clicktrail_Event_Id__c", "Campaign__c")
	t.Cleanup(f.Close)
	s := crm.Spec{ID: "int_sf",
		Settings: map[string]string{"instance_url": f.URL, "login_url": f.URL, "contact_external_id_field": "Clicktrail_Contact_Id__c",
			"task_external_id_field": "Clicktrail_Event_Id__c"},
		Credentials: map[string]string{"access_token": "00Dfake!first", "refresh_token": "refresh-1", "client_id": "client-1", "client_secret": "s"},
		Mapping:     crm.Mapping{Click: map[string]string{"Campaign__c": "utm_campaign", "contact.Description": "short_url"}},
	}
	if err := (salesforce.Kind{}).Validate(s); err != nil {
		t.Fatal(err)
	}
	a, err := (salesforce.Kind{}).Open(s, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return f, a
}

func click(id, contact string) crm.Event {
	return crm.Event{ID: id, Type: crm.EventClick, ContactID: contact, Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Fields: map[string]string{"short_url": "https://go.brand.com/" + id, "utm_campaign": "spring"}}
}

func TestTasksUpsertedByEventID(t *testing.T) {
	f, a := setup(t)
	who := f.AddRecord("Contact", map[string]any{"LastName": "Doe", "Clicktrail_Contact_Id__c": "ct_1"})
	batch := []crm.Event{click("e1", "ct_1"), click("e2", "ct_1")}
	for round := range 2 { // a redelivery updates the same Tasks
		for i, err := range a.Deliver(context.Background(), batch) {
			if err != nil {
				t.Fatalf("round %d event %d: %v", round, i, err)
			}
		}
	}
	tasks := f.Records("Task")
	if len(tasks) != 2 {
		t.Fatalf("%d Tasks after a redelivery, want 2: %v", len(tasks), tasks)
	}
	for _, tk := range tasks {
		if tk["WhoId"] != who || tk["Status"] != "Completed" || tk["Campaign__c"] != "spring" || tk["ActivityDate"] != "2026-03-01" ||
			!strings.HasPrefix(tk["Subject"].(string), "Clicked https://go.brand.com/") {
			t.Errorf("task %v", tk)
		}
	}
	if c := f.Records("Contact"); len(c) != 1 || c[0]["Description"] != "https://go.brand.com/e2" {
		t.Errorf("contacts %v", c)
	}
	if n := f.Calls("PATCH /services/data/v60.0/composite/sobjects/Task/Clicktrail_Event_Id__c"); n != 2 {
		t.Errorf("%d Task collection calls for 2 rounds, want 2", n)
	}
}

func TestRefreshOn401(t *testing.T) {
	f, a := setup(t)
	f.AddRecord("Contact", map[string]any{"LastName": "Doe", "Clicktrail_Contact_Id__c": "ct_1"})
	f.ExpireToken()
	if err := a.Deliver(context.Background(), []crm.Event{click("e1", "ct_1")})[0]; err != nil {
		t.Fatal(err)
	}
	if f.Refreshes() != 1 || len(f.Records("Task")) != 1 {
		t.Fatalf("refreshes %d, tasks %d", f.Refreshes(), len(f.Records("Task")))
	}
	// the renewed token is kept: no refresh for the next batch
	if err := a.Deliver(context.Background(), []crm.Event{click("e2", "ct_1")})[0]; err != nil || f.Refreshes() != 1 {
		t.Fatalf("second batch: %v, refreshes %d", err, f.Refreshes())
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *salesforcefake.Server)
		contact string
		want    crm.Outcome
		pause   time.Duration
		code    string
	}{
		{"unknown contact cannot be created without LastName", func(*salesforcefake.Server) {}, "ct_new", crm.Failed, 0, "REQUIRED_FIELD_MISSING"},
		{"429 Retry-After", func(f *salesforcefake.Server) {
			f.Push(crmfakeFault(429, map[string]string{"Retry-After": "30"}, `[{"message":"busy","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`))
		}, "ct_1", crm.Paused, 30 * time.Second, ""},
		{"daily quota spent", func(f *salesforcefake.Server) { f.Push(salesforcefake.RequestLimitExceeded()) }, "ct_1", crm.Paused, salesforce.LimitPause, "REQUEST_LIMIT_EXCEEDED"},
		{"503", func(f *salesforcefake.Server) {
			f.Push(crmfakeFault(503, nil, `[{"message":"down","errorCode":"SERVER_UNAVAILABLE"}]`))
		}, "ct_1", crm.Retry, 0, "SERVER_UNAVAILABLE"},
		{"409 duplicate", func(f *salesforcefake.Server) {
			f.Push(crmfakeFault(409, nil, `[{"message":"dup","errorCode":"DUPLICATE_VALUE"}]`))
		}, "ct_1", crm.Failed, 0, "DUPLICATE_VALUE"},
		{"refresh token revoked", func(f *salesforcefake.Server) {
			f.ExpireToken()
			f.Push(crmfakeFault(401, nil, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`),
				crmfakeFault(400, nil, `{"error":"invalid_grant","error_description":"expired access/refresh token"}`))
		}, "ct_1", crm.Retry, 0, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, a := setup(t)
			f.AddRecord("Contact", map[string]any{"LastName": "Doe", "Clicktrail_Contact_Id__c": "ct_1"})
			tt.setup(f)
			err := a.Deliver(context.Background(), []crm.Event{click("e1", tt.contact)})[0]
			got, pause := crm.Classify(err)
			if got != tt.want || pause != tt.pause {
				t.Fatalf("outcome %d pause %s, want %d %s (err %v)", got, pause, tt.want, tt.pause, err)
			}
			if ce, _ := err.(*crm.Error); tt.code != "" && (ce == nil || ce.Code != tt.code) {
				t.Errorf("err %v, want code %s", err, tt.code)
			}
		})
	}
}
