package linkapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/linkapi/audit"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// tenancyFixture is the link API over real HTTP with two workspaces: A (the
// default workspace, whose keys the bootstrap key creates) and B.
type tenancyFixture struct {
	*lifecycleFixture
	srv *httptest.Server
}

func newTenancyFixture(t *testing.T) *tenancyFixture {
	f := &tenancyFixture{lifecycleFixture: newLifecycleFixture(t)}
	f.srv = httptest.NewServer(f.api)
	t.Cleanup(f.srv.Close)
	return f
}

// send makes a real HTTP request with key and returns the status and body.
func (f *tenancyFixture) send(t *testing.T, key, method, target, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must sends and decodes a 2xx answer into v.
func (f *tenancyFixture) must(t *testing.T, key, method, target, body string, status int, v any) {
	t.Helper()
	got, b := f.send(t, key, method, target, body)
	if got != status {
		t.Fatalf("%s %s: %d %s, want %d", method, target, got, b, status)
	}
	if v != nil {
		reflect.ValueOf(v).Elem().SetZero() // no field left over from an earlier answer
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, target, err, b)
		}
	}
}

// wantErr sends and checks the error answer's status, code and field.
func (f *tenancyFixture) wantErr(t *testing.T, key, method, target, body string, status int, code, field string) {
	t.Helper()
	got, b := f.send(t, key, method, target, body)
	var eb struct{ Error APIError }
	if err := json.Unmarshal(b, &eb); err != nil || got != status || eb.Error.Code != code || eb.Error.Field != field {
		t.Fatalf("%s %s: %d %s; want %d %s/%s", method, target, got, b, status, code, field)
	}
}

// newKey creates a key with scopes through the API, as creator.
func (f *tenancyFixture) newKey(t *testing.T, creator, workspace string, scopes ...string) createdKeyResponse {
	t.Helper()
	body, _ := json.Marshal(createKeyRequest{Name: "test " + strings.Join(scopes, " "), Scopes: scopes, WorkspaceID: workspace})
	var k createdKeyResponse
	f.must(t, creator, "POST", "/v1/keys", string(body), http.StatusCreated, &k)
	if k.Key == "" || !strings.HasPrefix(k.Key, k.Prefix) {
		t.Fatalf("created key without its secret: %+v", k)
	}
	return k
}

func (f *tenancyFixture) newWorkspace(t *testing.T, name string) string {
	t.Helper()
	var ws tenancy.Workspace
	f.must(t, testKey, "POST", "/v1/workspaces", `{"name":"`+name+`"}`, http.StatusCreated, &ws)
	return ws.ID
}

var allLinkScopes = []string{tenancy.ScopeLinksRead, tenancy.ScopeLinksWrite}

func TestTenancyWorkspaceIsolation(t *testing.T) {
	f := newTenancyFixture(t)
	wsB := f.newWorkspace(t, "B")
	keyA := f.newKey(t, testKey, "", allLinkScopes...).Key
	keyB := f.newKey(t, testKey, wsB, allLinkScopes...).Key

	var linkB linkResponse
	f.must(t, keyB, "POST", "/v1/links", `{"destination_url":"https://b.example.com/","path":"bee","external_id":"crm-1"}`, http.StatusCreated, &linkB)
	if linkB.WorkspaceID != wsB {
		t.Fatalf("link of B created in %q", linkB.WorkspaceID)
	}
	var linkA linkResponse
	f.must(t, keyA, "POST", "/v1/links", `{"destination_url":"https://a.example.com/","path":"ay"}`, http.StatusCreated, &linkA)

	for _, tc := range []struct{ name, method, target, body string }{
		{"get", "GET", "/v1/links/" + linkB.ID, ""},
		{"patch", "PATCH", "/v1/links/" + linkB.ID, `{"destination_url":"https://evil.example.com/"}`},
		{"delete", "DELETE", "/v1/links/" + linkB.ID, ""},
		{"get external", "GET", "/v1/links/external/crm-1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.wantErr(t, keyA, tc.method, tc.target, tc.body, http.StatusNotFound, CodeNotFound, "")
		})
	}
	// The same external id in A is A's own link, not B's.
	var own linkResponse
	f.must(t, keyA, "PUT", "/v1/links/external/crm-1", `{"destination_url":"https://a.example.com/crm"}`, http.StatusCreated, &own)
	if own.ID == linkB.ID || own.WorkspaceID != redirect.DefaultWorkspaceID {
		t.Fatalf("PUT external in A touched B's link: %+v", own)
	}
	var list listLinksResponse
	f.must(t, keyA, "GET", "/v1/links?limit=1000", "", http.StatusOK, &list)
	for _, l := range list.Links {
		if l.WorkspaceID != redirect.DefaultWorkspaceID {
			t.Fatalf("A's list shows %s of workspace %s", l.ID, l.WorkspaceID)
		}
	}
	if len(list.Links) != 2 {
		t.Fatalf("A lists %d links, want its 2", len(list.Links))
	}
	var got linkResponse
	f.must(t, keyB, "GET", "/v1/links/"+linkB.ID, "", http.StatusOK, &got)
	if got.DestinationURL != "https://b.example.com/" {
		t.Fatalf("B's link changed: %+v", got)
	}
	// Paths are unique per domain, across workspaces of the shared default domain.
	f.wantErr(t, keyA, "POST", "/v1/links", `{"destination_url":"https://a.example.com/","path":"bee"}`, http.StatusConflict, CodePathTaken, "path")
	// A key of B cannot see A's keys either.
	var keysB listKeysResponse
	f.must(t, testKey, "GET", "/v1/keys", "", http.StatusOK, &keysB)
	for _, k := range keysB.Keys {
		if k.WorkspaceID != redirect.DefaultWorkspaceID {
			t.Fatalf("default workspace lists key %s of %s", k.ID, k.WorkspaceID)
		}
	}
}

func TestTenancyScopes(t *testing.T) {
	f := newTenancyFixture(t)
	reader := f.newKey(t, testKey, "", tenancy.ScopeLinksRead).Key
	writer := f.newKey(t, testKey, "", tenancy.ScopeLinksWrite, tenancy.ScopeKeysWrite).Key

	f.wantErr(t, reader, "POST", "/v1/links", `{"destination_url":"https://a.example.com/"}`, http.StatusForbidden, CodeMissingScope, "")
	f.must(t, reader, "GET", "/v1/links", "", http.StatusOK, nil)
	f.wantErr(t, writer, "GET", "/v1/links", "", http.StatusForbidden, CodeMissingScope, "")
	f.must(t, writer, "POST", "/v1/links", `{"destination_url":"https://a.example.com/"}`, http.StatusCreated, nil)
	// No escalation: a key grants only scopes it holds, and never admin.
	f.wantErr(t, writer, "POST", "/v1/keys", `{"name":"x","scopes":["links:read"]}`, http.StatusForbidden, CodeMissingScope, "scopes[0]")
	f.wantErr(t, writer, "POST", "/v1/keys", `{"name":"x","scopes":["admin"]}`, http.StatusBadRequest, CodeInvalidField, "scopes[0]")
	f.wantErr(t, writer, "POST", "/v1/workspaces", `{"name":"x"}`, http.StatusForbidden, CodeMissingScope, "")
	f.wantErr(t, writer, "GET", "/v1/audit", "", http.StatusForbidden, CodeMissingScope, "")
	f.wantErr(t, testKey, "POST", "/v1/keys", `{"name":"x","scopes":["links:fly"]}`, http.StatusBadRequest, CodeInvalidField, "scopes[0]")
	f.wantErr(t, testKey, "POST", "/v1/keys", `{"name":"x","scopes":["links:read"],"workspace_id":"ws_0000000000000000"}`, http.StatusNotFound, CodeNotFound, "workspace_id")
	f.wantErr(t, "ctk_"+strings.Repeat("a", 12+32) /* a key id part and a secret */, "GET", "/v1/links", "", http.StatusUnauthorized, CodeUnauthorized, "")
}

func TestTenancyRevokedKey(t *testing.T) {
	f := newTenancyFixture(t)
	k := f.newKey(t, testKey, "", tenancy.ScopeLinksRead)
	f.must(t, k.Key, "GET", "/v1/links", "", http.StatusOK, nil)

	// Stored hashed: the secret is nowhere in the store.
	stored, err := tenancy.NewStore(f.store).GetAPIKey(t.Context(), "", k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(stored); strings.Contains(string(b), k.Key[len(k.Prefix):]) {
		t.Fatalf("the key's secret is stored: %s", b)
	}
	var listed listKeysResponse
	f.must(t, testKey, "GET", "/v1/keys", "", http.StatusOK, &listed)
	if b, _ := json.Marshal(listed); strings.Contains(string(b), k.Key) || strings.Contains(string(b), stored.Hash) {
		t.Fatalf("GET /v1/keys shows a secret or hash: %s", b)
	}

	var revoked keyView
	f.must(t, testKey, "DELETE", "/v1/keys/"+k.ID, "", http.StatusOK, &revoked)
	if revoked.RevokedAt == nil {
		t.Fatalf("revoke answered %+v", revoked)
	}
	f.wantErr(t, k.Key, "GET", "/v1/links", "", http.StatusUnauthorized, CodeUnauthorized, "")

	wsB := f.newWorkspace(t, "B")
	adminB := f.newKey(t, testKey, wsB, tenancy.ScopeKeysWrite, tenancy.ScopeKeysRead).Key
	other := f.newKey(t, testKey, "", tenancy.ScopeLinksRead)
	f.wantErr(t, adminB, "DELETE", "/v1/keys/"+other.ID, "", http.StatusNotFound, CodeNotFound, "")
	f.must(t, other.Key, "GET", "/v1/links", "", http.StatusOK, nil)
}

func TestTenancyDomains(t *testing.T) {
	f := newTenancyFixture(t)
	wsB := f.newWorkspace(t, "B")
	keyA := f.newKey(t, testKey, "", tenancy.ScopeLinksWrite, tenancy.ScopeDomainsWrite, tenancy.ScopeDomainsRead).Key
	keyB := f.newKey(t, testKey, wsB, tenancy.ScopeLinksWrite, tenancy.ScopeDomainsWrite, tenancy.ScopeDomainsRead).Key

	body := `{"destination_url":"https://a.example.com/","domain":"Go.Brand-A.com","path":"spring"}`
	f.wantErr(t, keyA, "POST", "/v1/links", body, http.StatusBadRequest, CodeDomainNotAllowed, "domain")
	var d tenancy.Domain
	f.must(t, keyA, "POST", "/v1/domains", `{"domain":"go.brand-a.com"}`, http.StatusCreated, &d)
	f.wantErr(t, keyB, "POST", "/v1/domains", `{"domain":"GO.brand-a.com"}`, http.StatusConflict, CodeDomainTaken, "domain")
	f.wantErr(t, keyB, "POST", "/v1/domains", `{"domain":"`+testDomain+`"}`, http.StatusConflict, CodeDomainTaken, "domain")
	f.wantErr(t, keyB, "POST", "/v1/domains", `{"domain":"not a host"}`, http.StatusBadRequest, CodeInvalidField, "domain")

	var l linkResponse
	f.must(t, keyA, "POST", "/v1/links", body, http.StatusCreated, &l)
	if l.Domain != "go.brand-a.com" {
		t.Fatalf("domain %q", l.Domain)
	}
	// The same path on another domain is another link.
	f.must(t, keyA, "POST", "/v1/links", `{"destination_url":"https://a.example.com/","path":"spring"}`, http.StatusCreated, nil)
	f.wantErr(t, keyB, "POST", "/v1/links", body, http.StatusBadRequest, CodeDomainNotAllowed, "domain")

	var listB listDomainsResponse
	f.must(t, keyB, "GET", "/v1/domains", "", http.StatusOK, &listB)
	if len(listB.Domains) != 0 {
		t.Fatalf("B lists A's domains: %+v", listB)
	}
	f.wantErr(t, keyB, "DELETE", "/v1/domains/go.brand-a.com", "", http.StatusNotFound, CodeNotFound, "")
	f.must(t, keyA, "DELETE", "/v1/domains/go.brand-a.com", "", http.StatusOK, nil)
	f.wantErr(t, keyA, "POST", "/v1/links", `{"destination_url":"https://a.example.com/","domain":"go.brand-a.com"}`, http.StatusBadRequest, CodeDomainNotAllowed, "domain")
	// Its links keep redirecting.
	req := httptest.NewRequest("GET", "/spring", nil)
	req.Host = "go.brand-a.com"
	rec := httptest.NewRecorder()
	f.rd.ServeHTTP(rec, req)
	if rec.Code != http.StatusFound {
		t.Fatalf("link on an unregistered domain answers %d", rec.Code)
	}
}

func TestTenancyAuditLog(t *testing.T) {
	f := newTenancyFixture(t)
	k := f.newKey(t, testKey, "", tenancy.ScopeLinksWrite, tenancy.ScopeAuditRead)
	var l linkResponse
	f.must(t, k.Key, "POST", "/v1/links", `{"destination_url":"https://a.example.com/","path":"audited"}`, http.StatusCreated, &l)
	f.clock.Advance(1)
	f.must(t, k.Key, "PATCH", "/v1/links/"+l.ID, `{"destination_url":"https://a.example.com/new","tags":["x"]}`, http.StatusOK, nil)
	f.clock.Advance(1)
	f.must(t, k.Key, "DELETE", "/v1/links/"+l.ID, "", http.StatusOK, nil)

	var page auditResponse
	f.must(t, k.Key, "GET", "/v1/audit?target_id="+l.ID, "", http.StatusOK, &page)
	var got []string
	for _, r := range page.Records {
		if r.KeyID != k.ID || r.RemoteAddr != "127.0.0.0/24" || r.WorkspaceID != redirect.DefaultWorkspaceID {
			t.Fatalf("record %+v: want key %s from 127.0.0.0/24 (the caller's address truncated)", r, k.ID)
		}
		got = append(got, r.Action+" "+strings.Join(r.Changes, ","))
	}
	want := []string{"link.deleted ", "link.updated destination_url,tags", "link.created "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("audit %q, want %q (newest first)", got, want)
	}
	// Paging: one record a page, in the same order.
	var paged []string
	cursor := ""
	for i := 0; i < 10; i++ {
		var p auditResponse
		f.must(t, k.Key, "GET", "/v1/audit?limit=1&target_id="+l.ID+"&cursor="+cursor, "", http.StatusOK, &p)
		for _, r := range p.Records {
			paged = append(paged, r.Action)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if strings.Join(paged, ",") != "link.deleted,link.updated,link.created" {
		t.Fatalf("paged audit %v", paged)
	}
	// The key's creation is in the log under the bootstrap key.
	var keys auditResponse
	f.must(t, testKey, "GET", "/v1/audit?action=key.created", "", http.StatusOK, &keys)
	if len(keys.Records) != 1 || keys.Records[0].TargetID != k.ID || keys.Records[0].KeyID != "bootstrap_1" {
		t.Fatalf("key.created records: %+v", keys.Records)
	}
	// Another workspace sees none of it.
	wsB := f.newWorkspace(t, "B")
	kb := f.newKey(t, testKey, wsB, tenancy.ScopeAuditRead).Key
	var other auditResponse
	f.must(t, kb, "GET", "/v1/audit", "", http.StatusOK, &other)
	for _, r := range other.Records { // only the creation of B's own key
		if r.WorkspaceID != wsB || r.Action != audit.KeyCreated {
			t.Fatalf("B reads A's audit log: %+v", r)
		}
	}
	f.wantErr(t, kb, "GET", "/v1/audit?since=yesterday", "", http.StatusBadRequest, CodeInvalidField, "since")
	f.wantErr(t, kb, "GET", "/v1/audit?who=me", "", http.StatusBadRequest, CodeUnknownField, "who")
	f.wantErr(t, kb, "GET", "/v1/audit?cursor=!!", "", http.StatusBadRequest, CodeInvalidField, "cursor")
}

func TestTenancyWorkspaceDestinationLists(t *testing.T) {
	f := newTenancyFixture(t)
	wsB := f.newWorkspace(t, "B")
	admin := f.newKey(t, testKey, "", tenancy.ScopeWorkspaceWrite, tenancy.ScopeWorkspaceRead, tenancy.ScopeLinksWrite).Key
	keyB := f.newKey(t, testKey, wsB, tenancy.ScopeLinksWrite).Key
	linksOnly := f.newKey(t, testKey, "", tenancy.ScopeLinksWrite).Key

	f.wantErr(t, linksOnly, "PATCH", "/v1/workspace", `{"destination_deny_hosts":["x.example"]}`, http.StatusForbidden, CodeMissingScope, "")
	f.wantErr(t, admin, "PATCH", "/v1/workspace", `{"destination_deny_hosts":["http://x.example/"]}`, http.StatusBadRequest, CodeInvalidField, "destination_deny_hosts[0]")
	var ws tenancy.Workspace
	f.must(t, admin, "PATCH", "/v1/workspace", `{"destination_allow_hosts":["*.brand.example","brand.example"],"destination_deny_hosts":["old.brand.example"]}`, http.StatusOK, &ws)
	if len(ws.DestinationAllowHosts) != 2 || ws.ID != redirect.DefaultWorkspaceID {
		t.Fatalf("patched workspace %+v", ws)
	}
	f.must(t, admin, "POST", "/v1/links", `{"destination_url":"https://shop.brand.example/"}`, http.StatusCreated, nil)
	for _, tc := range []struct{ body, rule string }{
		{`{"destination_url":"https://elsewhere.example/"}`, RuleWorkspaceNotInAllowList},
		{`{"destination_url":"https://old.brand.example/"}`, RuleWorkspaceDenyList},
		{`{"destination_url":"https://brand.example/","variants":[{"id":"a","destination_url":"https://brand.example/a","weight":1},{"id":"b","destination_url":"https://elsewhere.example/","weight":1}]}`, RuleWorkspaceNotInAllowList},
	} {
		got, b := f.send(t, admin, "POST", "/v1/links", tc.body)
		var eb struct{ Error APIError }
		if json.Unmarshal(b, &eb); got != http.StatusBadRequest || eb.Error.Code != CodeDestinationRefused || eb.Error.Rule != tc.rule {
			t.Fatalf("%s: %d %s, want rule %s", tc.body, got, b, tc.rule)
		}
	}
	// Another workspace is not bound by them.
	f.must(t, keyB, "POST", "/v1/links", `{"destination_url":"https://elsewhere.example/"}`, http.StatusCreated, nil)
	// The server's own policy still applies first.
	got, b := f.send(t, admin, "POST", "/v1/links", `{"destination_url":"javascript:alert(1)"}`)
	if got != http.StatusBadRequest || !strings.Contains(string(b), `"destination_url"`) {
		t.Fatalf("javascript: URL: %d %s", got, b)
	}
	// [] clears a list; absent leaves it.
	f.must(t, admin, "PATCH", "/v1/workspace", `{"destination_allow_hosts":[]}`, http.StatusOK, &ws)
	if len(ws.DestinationAllowHosts) != 0 || len(ws.DestinationDenyHosts) != 1 {
		t.Fatalf("after clearing the allow list: %+v", ws)
	}
	f.must(t, admin, "POST", "/v1/links", `{"destination_url":"https://elsewhere.example/"}`, http.StatusCreated, nil)
	f.must(t, admin, "GET", "/v1/workspace", "", http.StatusOK, &ws)
	if len(ws.DestinationDenyHosts) != 1 {
		t.Fatalf("GET /v1/workspace: %+v", ws)
	}
}

// FuzzTenancyBodies sends arbitrary bodies to the tenancy routes: the answer
// is a 2xx or a 4xx with a JSON error, never a 5xx or a panic.
func FuzzTenancyBodies(f *testing.F) {
	for _, seed := range []string{
		`{"name":"x","scopes":["links:read"]}`, `{"domain":"go.brand.example"}`,
		`{"destination_allow_hosts":["*.a.example"],"name":"n"}`, `{"utm":{"medium":"{{m}}"},"force":["medium"]}`,
		`{"scopes":null}`, `[]`, `{"name":"\u0000"}`, `{"domain":"` + strings.Repeat("a", 300) + `"}`,
	} {
		for route := range 4 {
			f.Add(uint8(route), seed)
		}
	}
	fx := newLifecycleFixture(f)
	routes := []struct{ method, target string }{
		{"POST", "/v1/keys"}, {"POST", "/v1/domains"}, {"PATCH", "/v1/workspace"}, {"PUT", "/v1/templates/fuzz"},
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		r := routes[int(route)%len(routes)]
		rec := fx.call(t, r.method, r.target, body)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", r.method, r.target, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			apiErr(t, rec)
		}
	})
}

func TestKeySelf(t *testing.T) {
	f := newTenancyFixture(t)
	wsB := f.newWorkspace(t, "B")
	k := f.newKey(t, testKey, wsB, tenancy.ScopeWebhooksRead)
	var self selfResponse
	f.must(t, k.Key, "GET", "/v1/keys/self", "", http.StatusOK, &self)
	if self.KeyID != k.ID || self.WorkspaceID != wsB || len(self.Scopes) != 1 || self.Scopes[0] != tenancy.ScopeWebhooksRead {
		t.Fatalf("self %+v, want key %s of %s with webhooks:read", self, k.ID, wsB)
	}
	f.wantErr(t, "not-a-key-at-all-0123", "GET", "/v1/keys/self", "", http.StatusUnauthorized, CodeUnauthorized, "")
	f.wantErr(t, k.Key, "DELETE", "/v1/keys/self", "", http.StatusMethodNotAllowed, CodeMethodNotAllowed, "")
}
