package app

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestDevAttributesConversions runs the embedded default: a click on a
// link that tracks conversions hands the destination its ct_click id; a
// conversion reported with that id through POST /v1/conversions reaches
// the endpoint as a verified conversion.attributed naming the click and
// the link, and one reported with the contact id alone is credited to the
// contact's latest click.
func TestDevAttributesConversions(t *testing.T) {
	dev := webhookDev(t)
	redirectURL, apiURL := startDev(t, dev)
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		return devCall(t, apiURL, method, path, body)
	}
	rc := testenv.NewWebhookReceiver(t, nil)
	status, ep := call("POST", "/v1/webhooks/endpoints", map[string]any{"url": rc.URL + "/hooks", "events": []string{"conversion.attributed"}})
	if status != http.StatusCreated {
		t.Fatalf("create endpoint: %d %v", status, ep)
	}
	rc.SetSecret(ep["secret"].(string))
	status, link := call("POST", "/v1/links", map[string]any{
		"destination_url": "http://127.0.0.1:9/shop", "path": "shop", "track_conversions": true,
		"values": map[string]string{"contact_id": "hs_42"}, "tags": []string{"black-friday"},
	})
	if status != http.StatusCreated {
		t.Fatalf("create link: %d %v", status, link)
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(redirectURL + "/shop")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("click: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	clickID := loc.Query().Get("ct_click")
	if len(clickID) != 36 {
		t.Fatalf("the destination got no click id: %s", loc)
	}

	status, conv := call("POST", "/v1/conversions", map[string]any{
		"name": "purchase", "click_id": clickID, "amount": 4999, "currency": "EUR", "external_id": "order-1"})
	if status != http.StatusAccepted {
		t.Fatalf("report conversion: %d %v", status, conv)
	}
	testutil.WaitFor(t, "the conversion.attributed webhook", func() bool { return len(rc.OfType("conversion.attributed")) == 1 })
	p := rc.OfType("conversion.attributed")[0]
	data, _ := p["data"].(map[string]any)
	click, _ := data["click"].(map[string]any)
	attribution, _ := data["attribution"].(map[string]any)
	if p["webhook-id"] != conv["id"] || data["conversion_id"] != conv["id"] || data["link_id"] != link["id"] ||
		data["amount"] != float64(4999) || data["currency"] != "EUR" || data["contact_id"] != "hs_42" ||
		attribution["matched_by"] != "click_id" || click["click_id"] != clickID || click["short_url"] != link["short_url"] {
		t.Fatalf("conversion.attributed %v\nfor conversion %v and link %v", p, conv, link)
	}
	if _, ok := click["ip"]; ok {
		t.Fatalf("the webhook carries an address: %v", click)
	}

	// The same order reported again is the same event.
	if _, again := call("POST", "/v1/conversions", map[string]any{
		"name": "purchase", "click_id": clickID, "amount": 4999, "currency": "EUR", "external_id": "order-1"}); again["id"] != conv["id"] {
		t.Fatalf("a repeated external_id got id %v, want %v", again["id"], conv["id"])
	}
	// A lead known by its contact only: the contact's latest click.
	status, lead := call("POST", "/v1/conversions", map[string]any{"name": "lead", "contact_id": "hs_42"})
	if status != http.StatusAccepted {
		t.Fatalf("report lead: %d %v", status, lead)
	}
	testutil.WaitFor(t, "the lead's conversion.attributed", func() bool {
		for _, p := range rc.OfType("conversion.attributed") {
			if p["webhook-id"] == lead["id"] {
				return true
			}
		}
		return false
	})
	for _, p := range rc.OfType("conversion.attributed") {
		data, _ := p["data"].(map[string]any)
		if p["webhook-id"] != lead["id"] {
			continue
		}
		attribution, _ := data["attribution"].(map[string]any)
		click, _ := data["click"].(map[string]any)
		if attribution["matched_by"] != "contact_id" || click["click_id"] != clickID || data["name"] != "lead" {
			t.Fatalf("lead attributed as %v", p)
		}
	}
	if _, bad := rc.Received(); len(bad) != 0 {
		t.Errorf("refused: %v", bad)
	}
}
