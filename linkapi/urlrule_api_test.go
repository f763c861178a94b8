package linkapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi/linkapitest"

	"github.com/clicktrail/clicktrail/redirect"
)

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
// linkapitest.ProbeURLs, and stores nothing.
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
	for _, p := range linkapitest.ProbeURLs {
		for _, b := range linkapitest.ProbeBodies(p.URL) {
			for _, req := range [][2]string{{"POST", "/v1/links"}, {"PATCH", "/v1/links/" + l.ID}, {"PUT", "/v1/links/external/probe"}} {
				t.Run(p.Name+"/"+b.Field+"/"+req[0], func(t *testing.T) {
					rec, _ := f.do(t, req[0], req[1], b.Body, testKey)
					var eb ruleErrorBody
					_ = json.Unmarshal(rec.Body.Bytes(), &eb)
					if rec.Code != http.StatusBadRequest || eb.Error.Code != p.Code || eb.Error.Field != b.Field || eb.Error.Rule != p.Rule {
						t.Fatalf("%s %s = %d %s; want 400 %s field %s rule %s", req[0], b.Body, rec.Code, rec.Body, p.Code, b.Field, p.Rule)
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
