package linkapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
)

// A 409 on a path another workspace holds must not name that workspace's
// link (issue 11): existing_id is only for the caller's own links, through
// POST /v1/links, PUT /v1/links/external/{id} and bulk items alike.
func TestPathTakenHidesOtherWorkspacesLink(t *testing.T) {
	f := newTenancyFixture(t)
	wsB := f.newWorkspace(t, "B")
	keyA := f.newKey(t, testKey, "", allLinkScopes...).Key
	keyB := f.newKey(t, testKey, wsB, allLinkScopes...).Key

	var linkB, linkA linkResponse
	f.must(t, keyB, "POST", "/v1/links", `{"destination_url":"https://example.com/b","path":"held-by-b"}`, http.StatusCreated, &linkB)
	f.must(t, keyA, "POST", "/v1/links", `{"destination_url":"https://example.com/a","path":"held-by-a"}`, http.StatusCreated, &linkA)

	conflict := func(t *testing.T, key, method, target, body string) APIError {
		t.Helper()
		status, b := f.send(t, key, method, target, body)
		var eb struct{ Error APIError }
		if err := json.Unmarshal(b, &eb); err != nil || status != http.StatusConflict || eb.Error.Code != CodePathTaken {
			t.Fatalf("%s %s: %d %s, want 409 path_taken", method, target, status, b)
		}
		return eb.Error
	}
	for _, tc := range []struct{ name, method, target string }{
		{"create", "POST", "/v1/links"},
		{"put external", "PUT", "/v1/links/external/crm-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if e := conflict(t, keyA, tc.method, tc.target, `{"destination_url":"https://example.com/x","path":"held-by-b"}`); e.ExistingID != "" {
				t.Errorf("another workspace's path: existing_id %q leaked (B's link is %s)", e.ExistingID, linkB.ID)
			}
			if e := conflict(t, keyA, tc.method, tc.target, `{"destination_url":"https://example.com/x","path":"held-by-a"}`); e.ExistingID != linkA.ID {
				t.Errorf("own path: existing_id %q, want %s", e.ExistingID, linkA.ID)
			}
		})
	}
}

// A key may revoke only keys whose scopes it holds (issue 11): a keys:write
// key cannot take down a stronger key of its workspace.
func TestRevokeNeedsTheTargetsScopes(t *testing.T) {
	f := newTenancyFixture(t)
	weak := f.newKey(t, testKey, "", tenancy.ScopeKeysWrite)
	strong := f.newKey(t, testKey, "", tenancy.ScopeKeysWrite, tenancy.ScopeLinksWrite)
	peer := f.newKey(t, testKey, "", tenancy.ScopeKeysWrite)

	f.wantErr(t, weak.Key, "DELETE", "/v1/keys/"+strong.ID, "", http.StatusForbidden, CodeMissingScope, "id")
	if status, b := f.send(t, strong.Key, "GET", "/v1/keys/self", ""); status != http.StatusOK {
		t.Fatalf("the stronger key after a refused revoke: %d %s", status, b)
	}
	// Keys with a subset of its scopes it may revoke, and the stronger key
	// may revoke the weaker one.
	f.must(t, weak.Key, "DELETE", "/v1/keys/"+peer.ID, "", http.StatusOK, nil)
	f.must(t, strong.Key, "DELETE", "/v1/keys/"+weak.ID, "", http.StatusOK, nil)
}
