package linkapi

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// TestMountedLinkSubResource: a mounted GET /v1/links/{id}/stats is served
// with its own scope beside the QR route, which keeps links:read, and
// /v1/links/external/{external_id} is still the external-id lookup.
func TestMountedLinkSubResource(t *testing.T) {
	s, _ := openTestStore(t, redirect.StoreOptions{})
	stats := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		w.Write([]byte(r.PathValue("id") + " " + p.WorkspaceID))
	})
	h, err := NewAPI(APIConfig{Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain,
		Now:         func() time.Time { return testNow },
		Mount:       map[string]http.Handler{"GET /v1/links/{id}/stats": stats},
		MountScopes: map[string]MountScope{"GET /v1/links/{id}/stats": {Read: tenancy.ScopeAnalyticsRead}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &apiFixture{store: s, handler: h}
	key := func(scope string) string {
		rec, _ := f.do(t, "POST", "/v1/keys", `{"name":"k","scopes":["`+scope+`"]}`, testKey)
		var k createdKeyResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &k); err != nil || rec.Code != http.StatusCreated {
			t.Fatalf("create %s key: %d %s", scope, rec.Code, rec.Body)
		}
		return k.Key
	}
	analytics, links := key(tenancy.ScopeAnalyticsRead), key("links:read")
	if rec, _ := f.do(t, "GET", "/v1/links/lnk_1/stats", "", analytics); rec.Code != 200 || rec.Body.String() != "lnk_1 "+redirect.DefaultWorkspaceID {
		t.Errorf("stats with analytics:read: %d %q", rec.Code, rec.Body)
	}
	if rec, eb := f.do(t, "GET", "/v1/links/lnk_1/stats", "", links); rec.Code != http.StatusForbidden || eb.Error.Code != CodeMissingScope {
		t.Errorf("stats with links:read only: %d %+v, want 403 missing_scope", rec.Code, eb)
	}
	if rec, eb := f.do(t, "GET", "/v1/links/lnk_1/qr", "", analytics); rec.Code != http.StatusForbidden || eb.Error.Code != CodeMissingScope {
		t.Errorf("qr with analytics:read only: %d %+v, want 403", rec.Code, eb)
	}
	if rec, _ := f.do(t, "GET", "/v1/links/lnk_1/nothing", "", links); rec.Code != http.StatusNotFound {
		t.Errorf("unknown sub-resource: %d, want 404", rec.Code)
	}
	if rec, _ := f.do(t, "GET", "/v1/links/external/stats", "", links); rec.Code != http.StatusNotFound || rec.Body.String() == "external "+redirect.DefaultWorkspaceID {
		t.Errorf("/v1/links/external/stats: %d %q, want the external-id lookup's 404", rec.Code, rec.Body)
	}
}
