package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot/hubspotfake"
	crmstage "github.com/clicktrail/clicktrail/sinks/crm/stage"
)

// TestDevWritesClicksToHubSpot runs the embedded default: an integration
// created through the mounted /v1/integrations (its token not echoed)
// sends the click of a link whose metadata names a HubSpot contact to the
// contact's timeline, once; and the OpenAPI document lists the
// integrations routes with their scopes.
func TestDevWritesClicksToHubSpot(t *testing.T) {
	const token = "pat-na1-dev-test-token"
	hs := hubspotfake.New(token, "pe1_click")
	defer hs.Close()
	contact := hs.AddContact(nil)
	dev := webhookDev(t)
	dev.CRM = crmstage.Options{AllowPrivate: true}
	redirectURL, apiURL := startDev(t, dev)

	status, in := devCall(t, apiURL, "POST", "/v1/integrations", map[string]any{
		"crm": "hubspot", "events": []string{"click.created"},
		"settings":    map[string]string{"base_url": hs.URL, "click_event": "pe1_click"},
		"credentials": map[string]string{"token": token},
		"mapping":     map[string]any{"click": map[string]string{"link": "short_url", "utm_campaign": "utm_campaign"}},
	})
	if b, _ := json.Marshal(in); status != http.StatusCreated || strings.Contains(string(b), token) {
		t.Fatalf("create integration: %d %s", status, b)
	}
	status, link := devCall(t, apiURL, "POST", "/v1/links", map[string]any{"destination_url": "http://127.0.0.1:9/spring",
		"path": "spring", "metadata": map[string]string{"contact_id": contact}, "utm": map[string]string{"campaign": "q1"}})
	if status != http.StatusCreated {
		t.Fatalf("create link: %d %v", status, link)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", redirectURL+"/spring", nil)
	// a browser's: bots' clicks are not sent to CRMs
	req.Header.Set("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	testutil.WaitFor(t, "the click on the contact's timeline", func() bool { return len(hs.Occurrences()) == 1 })
	o := hs.Occurrences()[0]
	if o.ObjectID != contact || o.EventName != "pe1_click" || o.Properties["utm_campaign"] != "q1" || !strings.HasSuffix(o.Properties["link"], "/spring") {
		t.Errorf("occurrence %+v", o)
	}

	resp, err = http.Get(apiURL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct{ Security []map[string][]string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range crm.Routes() {
		op, ok := doc.Paths[r.Pattern][strings.ToLower(r.Method)]
		want := "integrations:read"
		if r.Write {
			want = "integrations:write"
		}
		if !ok || len(op.Security) != 1 || len(op.Security[0]["bearer"]) != 1 || op.Security[0]["bearer"][0] != want {
			t.Errorf("%s %s: in the document %v, security %v, want %s", r.Method, r.Pattern, ok, op.Security, want)
		}
	}
}
