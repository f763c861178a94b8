package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
)

type apiFixture struct {
	t   *testing.T
	reg *Registry
	h   http.Handler

	mu       sync.Mutex
	replayed []Message
}

func newAPIFixture(t *testing.T, mutate func(*APIConfig)) *apiFixture {
	t.Helper()
	f := &apiFixture{t: t, reg: openTestRegistry(t, t.TempDir(), testutil.NewClock(time.Now()))}
	cfg := APIConfig{
		Registry:   f.reg,
		Production: true,
		Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
			switch host {
			case "hooks.example.com":
				return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
			case "rebind.example.com":
				return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.0.0.7")}, nil
			}
			return nil, fmt.Errorf("no such host %s", host)
		},
		Replay: func(_ context.Context, ep Endpoint, msgs []Message) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.replayed = append(f.replayed, msgs...)
			return nil
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := NewAPI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

// do sends a request and decodes the JSON answer into a map.
func (f *apiFixture) do(method, path, body string) (int, map[string]any) {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			f.t.Fatalf("%s %s: answer %q is not JSON: %v", method, path, rec.Body, err)
		}
	}
	return rec.Code, out
}

func errField(m map[string]any) (code, field string) {
	e, _ := m["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

func TestAPISecretShownOnce(t *testing.T) {
	f := newAPIFixture(t, nil)
	status, created := f.do("POST", PathEndpoints, `{"url":"https://hooks.example.com/in","events":["click.created"],"filters":{"exclude_bots":true}}`)
	if status != http.StatusCreated {
		t.Fatalf("create = %d %v", status, created)
	}
	id, _ := created["id"].(string)
	secret, _ := created["secret"].(string)
	if !strings.HasPrefix(id, "ep_") || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("create answered %v", created)
	}
	for _, path := range []string{PathEndpoints + "/" + id, PathEndpoints} {
		status, got := f.do("GET", path, "")
		b, _ := json.Marshal(got)
		if status != http.StatusOK || strings.Contains(string(b), secret) || strings.Contains(string(b), "whsec_") {
			t.Errorf("GET %s = %d %s: want 200 without the secret", path, status, b)
		}
	}
	status, rotated := f.do("POST", PathEndpoints+"/"+id+"/rotate-secret", "")
	newSecret, _ := rotated["secret"].(string)
	if status != http.StatusOK || newSecret == secret || !strings.HasPrefix(newSecret, "whsec_") {
		t.Fatalf("rotate = %d %v", status, rotated)
	}
	e, _ := f.reg.Get(id)
	if sig := e.Endpoint(time.Now()).Secrets; len(sig) != 2 || sig[0] != newSecret || sig[1] != secret {
		t.Errorf("after rotation the endpoint signs with %d secrets, want new and old", len(sig))
	}
}

func TestAPICreateRefusals(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		status      int
		code, field string
	}{
		{"http in production", `{"url":"http://hooks.example.com/","events":["click.created"]}`, 400, "endpoint_refused", "url"},
		{"loopback literal", `{"url":"https://127.0.0.1:8443/","events":["click.created"]}`, 400, "endpoint_refused", "url"},
		{"metadata address", `{"url":"https://169.254.169.254/latest","events":["click.created"]}`, 400, "endpoint_refused", "url"},
		{"mapped ipv6 loopback", `{"url":"https://[::ffff:127.0.0.1]/","events":["click.created"]}`, 400, "endpoint_refused", "url"},
		{"name resolving to a private address", `{"url":"https://rebind.example.com/","events":["click.created"]}`, 400, "endpoint_refused", "url"},
		{"unresolvable", `{"url":"https://nowhere.example.com/","events":["click.created"]}`, 400, "endpoint_refused", "url"},
		{"bad scheme", `{"url":"ftp://hooks.example.com/","events":["click.created"]}`, 400, "invalid_field", "url"},
		{"no events", `{"url":"https://hooks.example.com/"}`, 400, "invalid_field", "events"},
		{"unknown event", `{"url":"https://hooks.example.com/","events":["click.deleted"]}`, 400, "invalid_field", "events[0]"},
		{"unknown member", `{"url":"https://hooks.example.com/","events":["click.created"],"secret":"x"}`, 400, "unknown_field", "secret"},
		{"wrong type", `{"url":5,"events":["click.created"]}`, 400, "invalid_field", "url"},
		{"not json", `{`, 400, "invalid_json", ""},
	}
	f := newAPIFixture(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := f.do("POST", PathEndpoints, tt.body)
			code, field := errField(got)
			if status != tt.status || code != tt.code || field != tt.field {
				t.Fatalf("= %d %v, want %d %s field %q", status, got, tt.status, tt.code, tt.field)
			}
		})
	}
	if n := len(f.reg.List("")); n != 0 {
		t.Errorf("%d endpoints stored from refused requests", n)
	}
	dev := newAPIFixture(t, func(c *APIConfig) { c.Production, c.AllowPrivate = false, true })
	if status, got := dev.do("POST", PathEndpoints, `{"url":"http://127.0.0.1:9/","events":["click.created"]}`); status != http.StatusCreated {
		t.Errorf("AllowPrivate dev create = %d %v", status, got)
	}
}

// TestAPIEndpointURLRule: an endpoint URL goes through the one URL rule
// (internal/urlrule) on create and PATCH: the outside probe's payloads of
// issue 11 are refused naming the rule, and an accepted URL is stored
// normalized.
func TestAPIEndpointURLRule(t *testing.T) {
	long := "https://" + strings.Repeat("a.", 127) + "example.com/"
	tests := []struct{ name, url, code, rule string }{
		{"ideographic full stops", "https://127。0。0。1/", "endpoint_refused", "private_address"},
		{"full-width full stops", "https://127．0．0．1/", "endpoint_refused", "private_address"},
		{"full-width localhost", "https://ｌｏｃａｌｈｏｓｔ/", "endpoint_refused", "private_address"},
		{"decimal loopback", "https://2130706433/", "endpoint_refused", "private_address"},
		{"unresolvable", "https://nowhere.example.com/", "endpoint_refused", "unresolvable"},
		{"http in production", "http://hooks.example.com/", "endpoint_refused", "scheme"},
		{"gopher", "gopher://127.0.0.1:6379/_INFO", "invalid_field", "scheme"},
		{"port 0", "https://hooks.example.com:0/", "invalid_field", "port"},
		{"port 65536", "https://hooks.example.com:65536/", "invalid_field", "port"},
		{"host over 253 bytes", long, "invalid_field", "host"},
		{"user only", "https://u@hooks.example.com/", "invalid_field", "credentials"},
	}
	f := newAPIFixture(t, nil)
	_, ok := f.do("POST", PathEndpoints, `{"url":"https://ＨＯＯＫＳ.example.com./in","events":["click.created"]}`)
	if ok["url"] != "https://hooks.example.com/in" {
		t.Fatalf("create answered %v, want the normalized url https://hooks.example.com/in", ok)
	}
	id, _ := ok["id"].(string)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"url":` + strconv.Quote(tt.url) + `,"events":["click.created"]}`
			for _, req := range [][2]string{{"POST", PathEndpoints}, {"PATCH", PathEndpoints + "/" + id}} {
				status, got := f.do(req[0], req[1], body)
				code, field := errField(got)
				rule, _ := got["error"].(map[string]any)["rule"].(string)
				if status != http.StatusBadRequest || code != tt.code || field != "url" || rule != tt.rule {
					t.Fatalf("%s = %d %v, want 400 %s rule %s", req[0], status, got, tt.code, tt.rule)
				}
			}
		})
	}
	if n := len(f.reg.List("")); n != 1 {
		t.Errorf("%d endpoints stored, want the one accepted", n)
	}
}

func TestAPIPatchDeleteReplay(t *testing.T) {
	f := newAPIFixture(t, nil)
	_, created := f.do("POST", PathEndpoints, `{"url":"https://hooks.example.com/","events":["click.created"]}`)
	id := created["id"].(string)
	path := PathEndpoints + "/" + id

	status, got := f.do("PATCH", path, `{"enabled":false,"filters":{"tags":["vip"]},"events":["click.created","qr_scan.created"]}`)
	if status != http.StatusOK || got["enabled"] != false || got["disabled_reason"] == "" || len(got["events"].([]any)) != 2 {
		t.Fatalf("PATCH = %d %v", status, got)
	}
	for _, body := range []string{`{"url":"https://127.0.0.1/"}`, `{"events":["nope"]}`, `{"events":[]}`, `{"filters":{"tags":[""]}}`} {
		if status, got := f.do("PATCH", path, body); status != 400 {
			t.Errorf("PATCH %s = %d %v, want 400", body, status, got)
		}
	}
	if status, got := f.do("POST", path+"/replay", `{"message_id":"x"}`); status != http.StatusConflict {
		t.Errorf("replay to a disabled endpoint = %d %v, want 409", status, got)
	}
	if status, got := f.do("PATCH", path, `{"enabled":true}`); status != http.StatusOK || got["enabled"] != true || got["disabled_reason"] != nil {
		t.Errorf("re-enable = %d %v", status, got)
	}

	msg := testMessage(t)
	if _, err := f.reg.RecordAttempt(Result{EndpointID: id, MessageID: msg.ID, Attempted: time.Now(), Status: 503,
		Outcome: OutcomeRetry, Err: fmt.Errorf("answered 503")}, 1, msg); err != nil {
		t.Fatal(err)
	}
	status, got = f.do("GET", PathDeliveries+"?endpoint="+id+"&status=failed", "")
	if ds, _ := got["deliveries"].([]any); status != 200 || len(ds) != 1 {
		t.Fatalf("deliveries = %d %v", status, got)
	}
	if status, got := f.do("GET", PathDeliveries+"?status=lost", ""); status != 400 {
		t.Errorf("deliveries?status=lost = %d %v", status, got)
	}
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	status, got = f.do("POST", path+"/replay", `{"since":"`+since+`"}`)
	if status != http.StatusAccepted || len(got["replayed"].([]any)) != 1 {
		t.Fatalf("replay since = %d %v", status, got)
	}
	if status, got := f.do("POST", path+"/replay", `{"message_id":"`+msg.ID+`"}`); status != http.StatusAccepted {
		t.Fatalf("replay one = %d %v", status, got)
	}
	if status, got := f.do("POST", path+"/replay", `{"message_id":"nope"}`); status != 404 {
		t.Errorf("replay of an unknown message = %d %v", status, got)
	}
	if status, got := f.do("POST", path+"/replay", `{}`); status != 400 {
		t.Errorf("replay without a selector = %d %v", status, got)
	}
	f.mu.Lock()
	if len(f.replayed) != 2 || f.replayed[0].ID != msg.ID || string(f.replayed[1].Body) != string(msg.Body) {
		t.Errorf("replayed %d messages, want the logged one twice with its id and body", len(f.replayed))
	}
	f.mu.Unlock()

	if status, _ := f.do("DELETE", path, ""); status != http.StatusNoContent {
		t.Fatalf("DELETE = %d", status)
	}
	if status, got := f.do("GET", path, ""); status != 404 {
		t.Errorf("GET after DELETE = %d %v", status, got)
	} else if code, _ := errField(got); code != "not_found" {
		t.Errorf("error code %q", code)
	}
}

// TestAPIAnswersAsDocumented: a replay with nothing to send answers
// "replayed": [] (the document promises an array), and a method a path
// does not serve answers 405 with Allow, as the link API's paths do.
func TestAPIAnswersAsDocumented(t *testing.T) {
	f := newAPIFixture(t, nil)
	_, created := f.do("POST", PathEndpoints, `{"url":"https://hooks.example.com/","events":["click.created"]}`)
	path := PathEndpoints + "/" + created["id"].(string)
	status, got := f.do("POST", path+"/replay", `{"since":"`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`"}`)
	if replayed, ok := got["replayed"].([]any); status != http.StatusAccepted || !ok || len(replayed) != 0 {
		t.Errorf("replay of nothing = %d %v, want 202 with replayed []", status, got)
	}
	for _, c := range []struct{ method, path string }{{"PUT", path}, {"DELETE", PathEndpoints}, {"POST", PathDeliveries}, {"GET", path + "/replay"}} {
		if status, got := f.do(c.method, c.path, ""); status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s = %d %v, want 405", c.method, c.path, status, got)
		}
	}
}
