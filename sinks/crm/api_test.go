package crm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/sinks/crm"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot"
	"github.com/clicktrail/clicktrail/sinks/crm/pipedrive"
	"github.com/clicktrail/clicktrail/sinks/crm/salesforce"
)

const secret = "pat-na1-0123456789-very-secret"

func newAPI(t *testing.T) (http.Handler, string, *crm.Registry) {
	t.Helper()
	dir := t.TempDir()
	ring, _ := seal.NewRing(seal.NewKey("k1"))
	reg, err := crm.OpenRegistry(crm.RegistryConfig{Dir: dir, Secrets: ring, Kinds: []crm.Kind{hubspot.Kind{}, salesforce.Kind{}, pipedrive.Kind{}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	h, err := crm.NewAPI(crm.APIConfig{Registry: reg,
		Workspace: func(r *http.Request) (string, error) { return r.Header.Get("X-Test-Workspace"), nil },
		Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
			if host == "intranet.example" {
				return []netip.Addr{netip.MustParseAddr("10.0.0.1")}, nil
			}
			return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return h, dir, reg
}

func call(t *testing.T, h http.Handler, ws, method, path string, body any) (int, map[string]any, string) {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("X-Test-Workspace", ws)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m map[string]any
	json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m, rec.Body.String()
}

func hubspotBody() map[string]any {
	return map[string]any{"crm": "hubspot", "events": []string{"click.created"},
		"settings":    map[string]string{"click_event": "pe1_click", "base_url": "https://api.hubapi.com"},
		"credentials": map[string]string{"token": secret},
		"mapping":     map[string]any{"click": map[string]string{"utm_campaign": "utm_campaign"}}}
}

func TestCRUDNeverShowsCredentials(t *testing.T) {
	h, dir, reg := newAPI(t)
	code, m, raw := call(t, h, "ws_a", "POST", "/v1/integrations", hubspotBody())
	if code != 201 || strings.Contains(raw, secret) || m["id"] == "" {
		t.Fatalf("create: %d %s", code, raw)
	}
	id := m["id"].(string)
	if keys := m["credential_keys"].([]any); len(keys) != 1 || keys[0] != "token" {
		t.Errorf("credential_keys %v", keys)
	}
	for _, p := range []string{"/v1/integrations", "/v1/integrations/" + id} {
		if code, _, raw := call(t, h, "ws_a", "GET", p, nil); code != 200 || strings.Contains(raw, secret) || !strings.Contains(raw, id) {
			t.Errorf("GET %s: %d %s", p, code, raw)
		}
	}
	if code, _, _ := call(t, h, "ws_b", "GET", "/v1/integrations/"+id, nil); code != 404 {
		t.Errorf("another workspace's integration: %d, want 404", code)
	}
	code, m, raw = call(t, h, "ws_a", "PATCH", "/v1/integrations/"+id, map[string]any{"enabled": false, "credentials": map[string]string{"token": secret + "-2"}})
	if code != 200 || m["enabled"] != false || strings.Contains(raw, secret) {
		t.Fatalf("patch: %d %s", code, raw)
	}
	if i, _ := reg.Get(id); i.Credentials["token"] != secret+"-2" {
		t.Error("the new token was not kept")
	}
	// at rest: nowhere in the registry's files
	reg.Close()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the token in the clear", p)
			}
		}
		return nil
	})
}

func TestDelete(t *testing.T) {
	h, _, _ := newAPI(t)
	_, m, _ := call(t, h, "ws_a", "POST", "/v1/integrations", hubspotBody())
	id := m["id"].(string)
	if code, _, _ := call(t, h, "ws_a", "DELETE", "/v1/integrations/"+id, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _, _ := call(t, h, "ws_a", "GET", "/v1/integrations/"+id, nil); code != 404 {
		t.Fatalf("after delete: %d", code)
	}
}

func TestValidationNamesTheKey(t *testing.T) {
	h, _, _ := newAPI(t)
	tests := []struct {
		name  string
		edit  func(b map[string]any)
		field string
		code  string
	}{
		{"unknown crm", func(b map[string]any) { b["crm"] = "dynamics" }, "crm", "invalid_field"},
		{"unknown event", func(b map[string]any) { b["events"] = []string{"click.created", "link.created"} }, "events[1]", "invalid_field"},
		{"missing token", func(b map[string]any) { b["credentials"] = map[string]string{} }, "credentials.token", "invalid_field"},
		{"unknown setting", func(b map[string]any) { b["settings"].(map[string]string)["color"] = "red" }, "settings.color", "invalid_field"},
		{"unknown source field", func(b map[string]any) {
			b["mapping"] = map[string]any{"click": map[string]string{"campaign": "utm_campain"}}
		}, "mapping.click.campaign", "invalid_field"},
		{"private base_url", func(b map[string]any) { b["settings"].(map[string]string)["base_url"] = "https://intranet.example/" }, "settings.base_url", "destination_refused"},
		{"ftp base_url", func(b map[string]any) { b["settings"].(map[string]string)["base_url"] = "ftp://api.hubapi.com/" }, "settings.base_url", "invalid_field"},
		{"salesforce without external id fields", func(b map[string]any) {
			b["crm"] = "salesforce"
			b["settings"] = map[string]string{"instance_url": "https://acme.my.salesforce.com"}
			b["credentials"] = map[string]string{"refresh_token": "r", "client_id": "c"}
			b["mapping"] = map[string]any{}
		}, "settings.contact_external_id_field", "invalid_field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := hubspotBody()
			tt.edit(b)
			code, m, raw := call(t, h, "ws_a", "POST", "/v1/integrations", b)
			e, _ := m["error"].(map[string]any)
			if code != 400 || e["field"] != tt.field || e["code"] != tt.code {
				t.Fatalf("%d %s, want 400 %s naming %s", code, raw, tt.code, tt.field)
			}
			if strings.Contains(raw, secret) {
				t.Error("an error echoed the token")
			}
		})
	}
}
