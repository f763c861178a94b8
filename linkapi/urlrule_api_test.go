package linkapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/redirect"
)

// The outside probe's URLs of issue 11, each with the answer every URL
// field must give it: code and rule. evil.com is on the workspace's deny
// list in the tests below.
var probeURLs = []struct{ name, url, code, rule string }{
	{"gopher", "gopher://127.0.0.1:6379/_SET%20x%201", CodeInvalidField, RuleScheme},
	{"ftp private", "ftp://10.0.0.1", CodeInvalidField, RuleScheme},
	{"ideographic full stops", "http://127。0。0。1/", CodeDestinationRefused, RulePrivateAddress},
	{"full-width full stops", "http://127．0．0．1/", CodeDestinationRefused, RulePrivateAddress},
	{"full-width localhost", "http://ｌｏｃａｌｈｏｓｔ/", CodeDestinationRefused, RulePrivateAddress},
	{"full-width denied host", "https://ｅｖｉｌ.com/", CodeDestinationRefused, RuleWorkspaceDenyList},
	{"denied host", "https://EVIL.com./x", CodeDestinationRefused, RuleWorkspaceDenyList},
	{"port 0", "https://example.org:0/", CodeInvalidField, RulePort},
	{"port 65536", "https://example.org:65536/", CodeInvalidField, RulePort},
	{"host over 253 bytes", "https://" + strings.Repeat("a.", 127) + "org/", CodeInvalidField, RuleHost},
}

// probeBodies puts u in each URL field of a link body, with the field the
// error must name.
func probeBodies(u string) []struct{ field, body string } {
	q := strconv.Quote(u)
	return []struct{ field, body string }{
		{"destination_url", `{"destination_url":` + q + `}`},
		{"expired_url", `{"destination_url":"https://example.org/","expired_url":` + q + `}`},
		{"variants[1].destination_url", `{"destination_url":"https://example.org/","variants":[{"id":"a","weight":1,"destination_url":"https://example.org/a"},{"id":"b","weight":1,"destination_url":` + q + `}]}`},
		{"rules[0].destination_url", `{"destination_url":"https://example.org/","rules":[{"id":"r","os":["ios"],"destination_url":` + q + `}]}`},
	}
}

func publicResolver(_ context.Context, host string) ([]netip.Addr, error) {
	if host == "nowhere.example" {
		return nil, errors.New("no such host")
	}
	return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
}

type ruleErrorBody struct {
	Error struct{ Code, Field, Rule string }
}

// TestAPIURLRuleRegressions: every link URL field, on create, PATCH and
// PUT external, answers the probe's URLs with the code and rule of
// probeURLs, and stores nothing.
func TestAPIURLRuleRegressions(t *testing.T) {
	f := newConfiguredAPI(t, func(c *APIConfig) { c.Destinations.Resolve = publicResolver })
	if rec, _ := f.do(t, "PATCH", "/v1/workspace", `{"destination_deny_hosts":["evil.com"]}`, testKey); rec.Code != http.StatusOK {
		t.Fatalf("PATCH workspace: %d %s", rec.Code, rec.Body)
	}
	rec, _ := f.do(t, "POST", "/v1/links", `{"destination_url":"https://example.org/","path":"kept"}`, testKey)
	var l linkResponseForTest
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &l) != nil {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	f.changed = nil
	for _, p := range probeURLs {
		for _, b := range probeBodies(p.url) {
			for _, req := range [][2]string{{"POST", "/v1/links"}, {"PATCH", "/v1/links/" + l.ID}, {"PUT", "/v1/links/external/probe"}} {
				t.Run(p.name+"/"+b.field+"/"+req[0], func(t *testing.T) {
					rec, _ := f.do(t, req[0], req[1], b.body, testKey)
					var eb ruleErrorBody
					_ = json.Unmarshal(rec.Body.Bytes(), &eb)
					if rec.Code != http.StatusBadRequest || eb.Error.Code != p.code || eb.Error.Field != b.field || eb.Error.Rule != p.rule {
						t.Fatalf("%s %s = %d %s; want 400 %s field %s rule %s", req[0], b.body, rec.Code, rec.Body, p.code, b.field, p.rule)
					}
				})
			}
		}
	}
	if len(f.changed) != 0 {
		t.Errorf("refused requests changed links: %v", f.changed)
	}
}

type linkResponseForTest struct {
	ID             string
	DestinationURL string `json:"destination_url"`
	ExpiredURL     string `json:"expired_url"`
	Path           string
	Rules          []struct {
		DestinationURL string `json:"destination_url"`
	}
	Variants []struct {
		DestinationURL string `json:"destination_url"`
	}
}

// TestAPIStoresNormalizedURLs: what is stored and answered is the URL
// rule's normalized form, and the redirect's Location carries the ASCII
// host: https://Bücher.de/ 302s to https://xn--bcher-kva.de/.
func TestAPIStoresNormalizedURLs(t *testing.T) {
	f := newConfiguredAPI(t, func(c *APIConfig) { c.Destinations.Resolve = publicResolver })
	rec, _ := f.do(t, "POST", "/v1/links", `{"destination_url":"https://Bücher.de/","path":"buch",
		"expired_url":"https://ＳＨＯＰ.example.org./gone",
		"rules":[{"id":"app","os":["ios"],"destination_url":"myapp://Bücher.de/x"},{"id":"web","os":["android"],"destination_url":"https://example.org:0443/a"}],
		"variants":[{"id":"a","weight":1,"destination_url":"https://Bücher.de/a"},{"id":"b","weight":1,"destination_url":"https://0x5d.0xb8.0xd8.0x22/b"}]}`, testKey)
	var l linkResponseForTest
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &l) != nil {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	got := []string{l.DestinationURL, l.ExpiredURL, l.Rules[0].DestinationURL, l.Rules[1].DestinationURL, l.Variants[0].DestinationURL, l.Variants[1].DestinationURL}
	want := []string{"https://xn--bcher-kva.de/", "https://shop.example.org/gone", "myapp://xn--bcher-kva.de/x", "https://example.org:443/a",
		"https://xn--bcher-kva.de/a", "https://93.184.216.34/b"}
	stored, err := f.store.Get(context.Background(), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("answered URL %d = %q, want %q", i, got[i], want[i])
		}
	}
	if stored.DestinationURL != want[0] || stored.Rules[0].DestinationURL != want[2] || stored.Variants[1].DestinationURL != want[5] {
		t.Errorf("stored %q, %q, %q", stored.DestinationURL, stored.Rules[0].DestinationURL, stored.Variants[1].DestinationURL)
	}
	// PATCH normalizes too.
	if rec, _ := f.do(t, "PATCH", "/v1/links/"+l.ID, `{"destination_url":"https://Bücher.de/"}`, testKey); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `"destination_url":"https://xn--bcher-kva.de/"`) {
		t.Errorf("PATCH: %d %s", rec.Code, rec.Body)
	}

	if rec, _ := f.do(t, "POST", "/v1/links", `{"destination_url":"https://Bücher.de/","path":"plain"}`, testKey); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	rd, err := redirect.NewRedirector(redirect.RedirectConfig{Store: f.store, Clicks: &memClickLog{}, DefaultDomain: testDomain, AnyHost: true,
		VisitorSecret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	rd.ServeHTTP(w, httptest.NewRequest("GET", "http://"+testDomain+"/plain", nil))
	if w.Code != http.StatusFound || w.Header().Get("Location") != "https://xn--bcher-kva.de/" {
		t.Fatalf("redirect = %d Location %q, want 302 https://xn--bcher-kva.de/", w.Code, w.Header().Get("Location"))
	}
}

// TestBulkURLRuleRegressions: a bulk item takes the same rule as POST
// /v1/links (each probe URL in each field fails its item with the code
// and rule), and callback_url the rule for URLs the service calls: a
// refusal is 400 invalid_field naming the rule, a name must resolve, and
// the normalized URL is kept.
func TestBulkURLRuleRegressions(t *testing.T) {
	f := newBulkFixture(t, JobsConfig{})
	if code, b, _ := f.call("PATCH", "/v1/workspace", "", []byte(`{"destination_deny_hosts":["evil.com"]}`)); code != http.StatusOK {
		t.Fatalf("PATCH workspace: %d %s", code, b)
	}
	var items []json.RawMessage
	type want struct{ field, code, rule string }
	var wants []want
	for _, p := range probeURLs {
		for _, b := range probeBodies(p.url) {
			items = append(items, json.RawMessage(b.body))
			wants = append(wants, want{"items[" + strconv.Itoa(len(wants)) + "]." + b.field, p.code, p.rule})
		}
	}
	job := f.post("", map[string]any{"items": items})
	if j := f.wait("", job.ID); j.Failed != len(items) {
		t.Fatalf("job = %+v, want every item failed", j)
	}
	for _, it := range f.items("", job.ID, "failed") {
		w := wants[it.Index]
		if it.Error == nil || it.Error.Field != w.field || it.Error.Code != w.code || it.Error.Rule != w.rule {
			t.Errorf("item %d: %+v, want %+v", it.Index, it.Error, w)
		}
	}

	for _, tc := range []struct{ name, url, rule string }{
		{"gopher", "gopher://127.0.0.1:6379/_INFO", RuleScheme},
		{"ideographic full stops", "http://127。0。0。1/", RulePrivateAddress},
		{"full-width localhost", "http://ｌｏｃａｌｈｏｓｔ/", RulePrivateAddress},
		{"port 0", "https://example.org:0/", RulePort},
		{"host over 253 bytes", "https://" + strings.Repeat("a.", 127) + "org/", RuleHost},
		{"unresolvable", "https://nowhere.example/cb", RuleUnresolvable},
	} {
		t.Run("callback "+tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"items": []any{map[string]any{}}, "callback_url": tc.url})
			code, out, _ := f.call("POST", "/v1/links/bulk", "", body)
			var eb ruleErrorBody
			_ = json.Unmarshal(out, &eb)
			if code != http.StatusBadRequest || eb.Error.Code != CodeInvalidField || eb.Error.Field != "callback_url" || eb.Error.Rule != tc.rule {
				t.Fatalf("callback %q = %d %s; want 400 invalid_field rule %s", tc.url, code, out, tc.rule)
			}
		})
	}
	ok := f.post("", map[string]any{"items": []any{map[string]any{"destination_url": "https://example.org/"}}, "callback_url": "https://ＨＯＯＫＳ.example.org/cb"})
	if ok.CallbackURL != "https://hooks.example.org/cb" {
		t.Errorf("callback_url kept as %q, want https://hooks.example.org/cb", ok.CallbackURL)
	}
	f.wait("", ok.ID)
}
