package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/keyclient"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// TestSinkAPITakesTheLinkAPIKeys: the webhook sink's endpoint API, pointed
// at a real link API, lets each workspace's keys manage that workspace's
// endpoints only, needs the webhooks scopes, and stops taking a revoked key
// once its cache entry expires.
func TestSinkAPITakesTheLinkAPIKeys(t *testing.T) {
	const bootstrap = "bootstrap-key-0123456789abcdef"
	store, err := redirect.OpenStore(filepath.Join(t.TempDir(), "links"), redirect.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	linkAPI, err := linkapi.NewAPI(linkapi.APIConfig{Store: store, APIKeys: []string{bootstrap}, DefaultDomain: "go.brand.test",
		RateLimit: linkapi.RateLimitConfig{PerSecond: -1}})
	if err != nil {
		t.Fatal(err)
	}
	link := httptest.NewServer(linkAPI)
	defer link.Close()

	rt, err := openWebhookRegistry(t.TempDir(), nil, Webhooks{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	if _, err := rt.sinkAPI(WebhookSink{LinkAPIURL: link.URL}, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	keys, err := keyclient.New(keyclient.Config{LinkAPIURL: link.URL, // what sinkAPI builds, with a clock the test moves
		ReadScope: tenancy.ScopeWebhooksRead, WriteScope: tenancy.ScopeWebhooksWrite, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	api, err := rt.apiIn(Webhooks{}, keyclient.Workspace, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink := httptest.NewServer(keys.Guard(api))
	defer sink.Close()

	call := func(base, key, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		json.Unmarshal(b, &out)
		return resp.StatusCode, out
	}
	newKey := func(workspace string, scopes ...string) (id, token string) {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"name": "k", "scopes": scopes, "workspace_id": workspace})
		code, out := call(link.URL, bootstrap, "POST", "/v1/keys", string(b))
		if code != http.StatusCreated {
			t.Fatalf("create key: %d %v", code, out)
		}
		return out["id"].(string), out["key"].(string)
	}
	code, ws := call(link.URL, bootstrap, "POST", "/v1/workspaces", `{"name":"B"}`)
	if code != http.StatusCreated {
		t.Fatalf("create workspace: %d", code)
	}
	wsB := ws["id"].(string)
	_, keyA := newKey("", "webhooks:read", "webhooks:write")
	idB, keyB := newKey(wsB, "webhooks:read", "webhooks:write")
	_, linksOnly := newKey("", "links:read")

	endpoint := `{"url":"https://93.184.216.34/hooks","events":["click.created"]}`
	code, ep := call(sink.URL, keyB, "POST", "/v1/webhooks/endpoints", endpoint)
	if code != http.StatusCreated || ep["workspace_id"] != wsB {
		t.Fatalf("B creates an endpoint: %d %v", code, ep)
	}
	if code, _ := call(sink.URL, keyA, "GET", "/v1/webhooks/endpoints/"+ep["id"].(string), ""); code != http.StatusNotFound {
		t.Fatalf("A reads B's endpoint: %d", code)
	}
	if code, list := call(sink.URL, keyA, "GET", "/v1/webhooks/endpoints", ""); code != http.StatusOK || len(list["endpoints"].([]any)) != 0 {
		t.Fatalf("A lists: %d %v", code, list)
	}
	if code, _ := call(sink.URL, linksOnly, "GET", "/v1/webhooks/endpoints", ""); code != http.StatusForbidden {
		t.Fatalf("a key without webhooks:read lists: %d", code)
	}
	if code, _ := call(sink.URL, "ctk_"+strings.Repeat("x", 44), "GET", "/v1/webhooks/endpoints", ""); code != http.StatusUnauthorized {
		t.Fatalf("an unknown key: %d", code)
	}

	if code, _ := call(link.URL, bootstrap, "DELETE", "/v1/keys/"+idB, ""); code != http.StatusOK {
		t.Fatalf("revoke: %d", code)
	}
	// The revoked key works until its cache entry expires, then not.
	if code, _ := call(sink.URL, keyB, "GET", "/v1/webhooks/endpoints", ""); code != http.StatusOK {
		t.Fatalf("a just-revoked key within the cache time: %d", code)
	}
	now = now.Add(keyclient.DefaultTTL + time.Second)
	if code, _ := call(sink.URL, keyB, "GET", "/v1/webhooks/endpoints", ""); code != http.StatusUnauthorized {
		t.Fatalf("a revoked key after the cache time: %d", code)
	}
	if _, err := rt.sinkAPI(WebhookSink{LinkAPIURL: "ftp://x"}, nil); err == nil {
		t.Fatal("an ftp link API URL was accepted")
	}
}
