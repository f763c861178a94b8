package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// doAs sends a request in workspace ws (the X-Test-Workspace header the
// fixture's Workspace func reads; "" sends none).
func (f *apiFixture) doAs(ws, method, path, body string) (int, map[string]any) {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ws != "" {
		req.Header.Set("X-Test-Workspace", ws)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			f.t.Fatalf("%s %s: answer %q: %v", method, path, rec.Body, err)
		}
	}
	return rec.Code, out
}

func newTenantFixture(t *testing.T) *apiFixture {
	return newAPIFixture(t, func(c *APIConfig) {
		c.Workspace = func(r *http.Request) (string, error) {
			if ws := r.Header.Get("X-Test-Workspace"); ws != "" {
				return ws, nil
			}
			return "", errors.New("no principal")
		}
	})
}

func TestAPIWorkspacesAreIsolated(t *testing.T) {
	f := newTenantFixture(t)
	status, created := f.doAs("ws_a", "POST", PathEndpoints, `{"url":"https://hooks.example.com/a","events":["click.created"]}`)
	if status != http.StatusCreated || created["workspace_id"] != "ws_a" {
		t.Fatalf("create in ws_a = %d %v", status, created)
	}
	id := created["id"].(string)
	path := PathEndpoints + "/" + id
	msg := testMessage(t)
	if _, err := f.reg.RecordAttempt(Result{EndpointID: id, MessageID: msg.ID, Attempted: time.Now(), Status: 500,
		Outcome: OutcomeRetry, Err: fmt.Errorf("answered 500")}, 1, msg); err != nil {
		t.Fatal(err)
	}
	_, other := f.doAs("ws_b", "POST", PathEndpoints, `{"url":"https://hooks.example.com/b","events":["click.created"]}`)
	otherPath := PathEndpoints + "/" + other["id"].(string)

	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"get", "GET", path, "", 404},
		{"patch", "PATCH", path, `{"enabled":false}`, 404},
		{"rotate", "POST", path + "/rotate-secret", "", 404},
		{"replay", "POST", path + "/replay", `{"message_id":"` + msg.ID + `"}`, 404},
		{"delete", "DELETE", path, "", 404},
		// ws_b's own endpoint never had msg: replaying it there must not
		// leak ws_a's message to ws_b's URL.
		{"replay another workspace's message", "POST", otherPath + "/replay", `{"message_id":"` + msg.ID + `"}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, got := f.doAs("ws_b", tt.method, tt.path, tt.body); status != tt.want {
				t.Errorf("= %d %v, want %d", status, got, tt.want)
			}
		})
	}
	if _, got := f.doAs("ws_b", "GET", PathEndpoints, ""); len(got["endpoints"].([]any)) != 1 {
		t.Errorf("ws_b lists %v, want its one endpoint", got)
	}
	for _, q := range []string{"", "?endpoint=" + id} {
		if _, got := f.doAs("ws_b", "GET", PathDeliveries+q, ""); len(got["deliveries"].([]any)) != 0 {
			t.Errorf("ws_b sees ws_a's deliveries%s: %v", q, got)
		}
		if _, got := f.doAs("ws_a", "GET", PathDeliveries+q, ""); len(got["deliveries"].([]any)) != 1 {
			t.Errorf("ws_a deliveries%s: %v, want its one", q, got)
		}
	}
	if status, _ := f.doAs("ws_a", "GET", path, ""); status != http.StatusOK {
		t.Errorf("owner GET = %d", status)
	}
	if status, got := f.doAs("", "GET", PathEndpoints, ""); status != http.StatusForbidden {
		t.Errorf("no workspace = %d %v, want 403", status, got)
	}
	if _, err := f.reg.Get(id); err != nil {
		t.Errorf("ws_b's requests changed ws_a's endpoint: %v", err)
	}
}

func TestAPIAlerts(t *testing.T) {
	f := newAPIFixture(t, nil)
	status, created := f.do("POST", PathEndpoints, `{"url":"https://hooks.example.com/","events":["alert.threshold","click.digest"],`+
		`"alerts":{"threshold":{"clicks":100,"window":"1h"}},"filters":{"exclude_internal":true,"exclude_tags":["test"]}}`)
	if status != http.StatusCreated {
		t.Fatalf("create = %d %v", status, created)
	}
	alerts, _ := created["alerts"].(map[string]any)
	digest, _ := alerts["digest"].(map[string]any)
	if digest["every"] != "5m0s" || digest["max_clicks"] != float64(10) {
		t.Errorf("alerts %v: want the digest defaults filled in", alerts)
	}
	path := PathEndpoints + "/" + created["id"].(string)
	refusals := []struct{ name, body, field string }{
		{"spike without its rule", `{"events":["alert.spike"]}`, "alerts.spike"},
		{"zero clicks", `{"alerts":{"threshold":{"clicks":0,"window":"1h"}}}`, "alerts.threshold.clicks"},
		{"tiny window", `{"alerts":{"threshold":{"clicks":5,"window":"1ms"}}}`, "alerts.threshold.window"},
		{"bad factor", `{"events":["alert.spike"],"alerts":{"spike":{"factor":0.5,"window":"10m","baseline_windows":6,"min_clicks":10}}}`, "alerts.spike.factor"},
		{"empty exclude tag", `{"filters":{"exclude_tags":[""]}}`, "filters.exclude_tags[0]"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			status, got := f.do("PATCH", path, tt.body)
			if _, field := errField(got); status != 400 || field != tt.field {
				t.Errorf("= %d %v, want 400 naming %s", status, got, tt.field)
			}
		})
	}
	status, got := f.do("PATCH", path, `{"events":["alert.spike"],"alerts":{"spike":{"factor":3,"window":"10m","baseline_windows":6,"min_clicks":10}}}`)
	if status != http.StatusOK {
		t.Fatalf("PATCH = %d %v", status, got)
	}
	e, _ := f.reg.Get(created["id"].(string))
	if e.Alerts.Spike == nil || e.Alerts.Threshold != nil || !e.Filters.ExcludeInternal || e.Rules().Spike == nil || e.Rules().Digest != nil {
		t.Errorf("stored %+v rules %+v", e.Alerts, e.Rules())
	}
}
