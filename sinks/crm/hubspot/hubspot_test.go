package hubspot_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot/hubspotfake"
)

const (
	clickEvent = "pe123_clicktrail_click"
	convEvent  = "pe123_clicktrail_conversion"
)

func spec(url string, settings map[string]string) crm.Spec {
	s := map[string]string{"base_url": url, "click_event": clickEvent, "conversion_event": convEvent}
	for k, v := range settings {
		s[k] = v
	}
	return crm.Spec{ID: "int_1", Settings: s, Credentials: map[string]string{"token": "pat-na1-secret"},
		Mapping: crm.Mapping{
			Click:      map[string]string{"short_url": "short_url", "utm_campaign": "utm_campaign", "contact.last_clicked_link": "short_url"},
			Conversion: map[string]string{"amount": "amount", "conversion_name": "name"},
		}}
}

func click(id, contact string) crm.Event {
	return crm.Event{ID: id, Type: crm.EventClick, WorkspaceID: "default", ContactID: contact, Time: time.Unix(1700000000, 0),
		Fields: map[string]string{"short_url": "https://go.brand.com/" + id, "utm_campaign": "spring"}}
}

func open(t *testing.T, s crm.Spec) crm.Adapter {
	t.Helper()
	if err := (hubspot.Kind{}).Validate(s); err != nil {
		t.Fatal(err)
	}
	a, err := (hubspot.Kind{}).Open(s, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTimelineAndProperties(t *testing.T) {
	f := hubspotfake.New("pat-na1-secret", clickEvent, convEvent)
	defer f.Close()
	c1 := f.AddContact(nil)
	a := open(t, spec(f.URL, nil))
	conv := crm.Event{ID: "conv-1", Type: crm.EventConversion, ContactID: c1, Time: time.Unix(1700000100, 0),
		Fields: map[string]string{"amount": "4999", "name": "purchase"}}
	errs := a.Deliver(context.Background(), []crm.Event{click("e1", c1), conv})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	occ := f.Occurrences()
	if len(occ) != 2 || occ[0].ObjectID != c1 || occ[0].EventName != clickEvent || occ[0].Properties["utm_campaign"] != "spring" ||
		occ[0].UUID != "e1" || occ[1].EventName != convEvent || occ[1].Properties["amount"] != "4999" {
		t.Fatalf("occurrences = %+v", occ)
	}
	if _, ok := occ[0].Properties["contact.last_clicked_link"]; ok {
		t.Error("a contact property went to the event")
	}
	if got := f.Contact(c1)["last_clicked_link"]; got != "https://go.brand.com/e1" {
		t.Errorf("contact property last_clicked_link = %q", got)
	}
	if n := f.Calls("POST /events/v3/send/batch"); n != 1 {
		t.Errorf("%d batch sends, want 1", n)
	}
}

func TestUpsertByIDProperty(t *testing.T) {
	f := hubspotfake.New("pat-na1-secret", clickEvent)
	defer f.Close()
	existing := f.AddContact(map[string]string{"clicktrail_id": "ct_1"})
	a := open(t, spec(f.URL, map[string]string{"id_property": "clicktrail_id"}))
	errs := a.Deliver(context.Background(), []crm.Event{click("e1", "ct_1"), click("e2", "ct_2")})
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	occ := f.Occurrences()
	if len(occ) != 2 || occ[0].ObjectID != existing || occ[1].ObjectID == existing || occ[1].ObjectID == "" {
		t.Fatalf("occurrences = %+v (existing contact %s)", occ, existing)
	}
	if f.Calls("POST /crm/v3/objects/contacts/batch/upsert") != 1 {
		t.Error("contacts not upserted in one batch")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *hubspotfake.Server)
		timeout time.Duration
		want    crm.Outcome
		pause   func(time.Duration) bool
		status  int
	}{
		{"expired token", func(f *hubspotfake.Server) { f.Expire() }, 0, crm.Retry, nil, 401},
		{"429 with Retry-After", func(f *hubspotfake.Server) { f.Push(hubspotfake.RateLimited(7)) }, 0, crm.Paused,
			func(d time.Duration) bool { return d == 7*time.Second }, 429},
		{"429 from the rolling window headers", func(f *hubspotfake.Server) { f.Push(hubspotfake.RateLimited(0)) }, 0, crm.Paused,
			func(d time.Duration) bool { return d == 10*time.Second }, 429},
		{"daily quota spent", func(f *hubspotfake.Server) { f.Push(hubspotfake.DailyLimited()) }, 0, crm.Paused,
			func(d time.Duration) bool { return d > 0 && d <= 24*time.Hour }, 429},
		{"502", func(f *hubspotfake.Server) { f.Push(hubspotfake.ServerError(502)) }, 0, crm.Retry, nil, 502},
		{"slow answer past the timeout", func(f *hubspotfake.Server) { f.Delay(2 * time.Second) }, 100 * time.Millisecond, crm.Retry, nil, 0},
		{"unknown contact id", func(f *hubspotfake.Server) {}, 0, crm.Failed, nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := hubspotfake.New("pat-na1-secret", clickEvent)
			defer f.Close()
			c := f.AddContact(nil)
			if tt.name == "unknown contact id" {
				c = "999999"
			}
			tt.setup(f)
			s := spec(f.URL, nil)
			s.Mapping.Click = map[string]string{"short_url": "short_url"} // no property updates: one call
			a := open(t, s)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			err := a.Deliver(ctx, []crm.Event{click("e1", c)})[0]
			got, pause := crm.Classify(err)
			if got != tt.want {
				t.Fatalf("outcome %d, want %d (err %v)", got, tt.want, err)
			}
			if tt.pause != nil && !tt.pause(pause) {
				t.Errorf("pause %s", pause)
			}
			if ce, ok := err.(*crm.Error); !ok || ce.Status != tt.status {
				t.Errorf("err = %#v, want status %d", err, tt.status)
			}
		})
	}
}

func TestOneBadOccurrenceFailsAlone(t *testing.T) {
	f := hubspotfake.New("pat-na1-secret", clickEvent)
	defer f.Close()
	c := f.AddContact(nil)
	s := spec(f.URL, nil)
	s.Mapping.Click = map[string]string{"short_url": "short_url"}
	a := open(t, s)
	// the contact check is the fake's: an unknown record id fails the batch
	bad := click("e2", c)
	bad.ContactID = "424242"
	f.AddContact(nil)
	errs := a.Deliver(context.Background(), []crm.Event{click("e1", c), bad, click("e3", c)})
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("good events failed: %v", errs)
	}
	if o, _ := crm.Classify(errs[1]); o != crm.Failed {
		t.Fatalf("bad event: %v, want a permanent failure", errs[1])
	}
	if n := len(f.Occurrences()); n != 2 {
		t.Errorf("%d occurrences, want 2", n)
	}
}

func TestValidate(t *testing.T) {
	s := crm.Spec{Settings: map[string]string{"colour": "red"}, Mapping: crm.Mapping{Click: map[string]string{"Bad Name": "short_url", "ok": "nope"}}}
	err := (hubspot.Kind{}).Validate(s)
	for _, want := range []string{"settings.colour", "credentials.token: required", "mapping.click.Bad Name", "mapping.click.ok: unknown source field", "settings.click_event: required"} {
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to name %q", err, want)
		}
	}
}
