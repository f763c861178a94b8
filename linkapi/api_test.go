package linkapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

const testKey = "test-key-0123456789abcdef"

type apiFixture struct {
	store   *redirect.Store
	handler http.Handler
	mu      sync.Mutex
	changed []*redirect.Link
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	s, _ := openTestStore(t, redirect.StoreOptions{})
	f := &apiFixture{store: s}
	h, err := NewAPI(APIConfig{
		Store:         s,
		APIKeys:       []string{"another-key-0123456789", testKey},
		DefaultDomain: testDomain,
		OnLinkEvent:   func(_ string, l *redirect.Link) { f.mu.Lock(); f.changed = append(f.changed, l); f.mu.Unlock() },
		Now:           func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.handler = h
	return f
}

type errorBody struct {
	Error struct {
		Code, Field, Message string
		ExistingID           string `json:"existing_id"`
	}
}

func (f *apiFixture) do(t *testing.T, method, target, body string, key string) (*httptest.ResponseRecorder, errorBody) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	var eb errorBody
	if rec.Code >= 400 {
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("error answer has Content-Type %q", ct)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Errorf("error body %q is not the error shape: %v", rec.Body, err)
		}
	}
	return rec, eb
}

func TestAPICreateAndGet(t *testing.T) {
	f := newAPIFixture(t)
	rec, _ := f.do(t, "POST", "/v1/links", `{
		"destination_url": "https://shop.example.org/spring",
		"path": "spring",
		"utm": {"source": "newsletter", "campaign": "spring"},
		"tags": ["q2"],
		"metadata": {"contact_id": "c_1"},
		"expires_at": "2027-01-01T00:00:00Z"
	}`, testKey)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var created linkResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	if created.ShortURL != "https://"+testDomain+"/spring" || !redirect.ValidLinkID(created.ID) ||
		created.Domain != testDomain || created.RedirectCode != 302 || created.UTM.Source != "newsletter" ||
		created.Metadata["contact_id"] != "c_1" || created.ExpiresAt == nil || created.CreatedAt.IsZero() {
		t.Errorf("created link: %s", rec.Body)
	}
	if loc := rec.Header().Get("Location"); loc != "/v1/links/"+created.ID {
		t.Errorf("Location = %q", loc)
	}
	if len(f.changed) != 1 || f.changed[0].ID != created.ID {
		t.Errorf("OnLinkEvent calls: %v", f.changed)
	}

	rec, _ = f.do(t, "GET", "/v1/links/"+created.ID, "", testKey)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"short_url":"https://go.example.com/spring"`) {
		t.Errorf("get: %d %s", rec.Code, rec.Body)
	}
	if _, ok := f.store.Lookup(testDomain, "spring"); !ok {
		t.Error("created link does not resolve")
	}
}

func TestAPICreateRandomPath(t *testing.T) {
	f := newAPIFixture(t)
	rec, _ := f.do(t, "POST", "/v1/links", `{"destination_url":"https://example.org/","domain":"GO.example.com"}`, testKey)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var l linkResponse
	json.Unmarshal(rec.Body.Bytes(), &l)
	if len(l.Path) != len(redirect.RandomPath()) || redirect.ValidatePath(l.Path) != nil {
		t.Errorf("random path %q", l.Path)
	}
}

func TestAPIErrors(t *testing.T) {
	f := newAPIFixture(t)
	taken := testLink("taken")
	mustCreate(t, f.store, taken)
	const dest = `"destination_url":"https://example.org/"`
	for _, tc := range []struct {
		name, method, target, body, key string
		status                          int
		code, field                     string
	}{
		{"no key", "POST", "/v1/links", `{` + dest + `}`, "", 401, CodeUnauthorized, ""},
		{"wrong key", "POST", "/v1/links", `{` + dest + `}`, "wrong-key-0123456789abc", 401, CodeUnauthorized, ""},
		{"no key on get", "GET", "/v1/links/lnk_x", "", "", 401, CodeUnauthorized, ""},
		{"empty body", "POST", "/v1/links", ``, testKey, 400, CodeInvalidJSON, ""},
		{"malformed JSON", "POST", "/v1/links", `{"destination_url":`, testKey, 400, CodeInvalidJSON, ""},
		{"syntax error", "POST", "/v1/links", `{"destination_url" "x"}`, testKey, 400, CodeInvalidJSON, ""},
		{"array body", "POST", "/v1/links", `[]`, testKey, 400, CodeInvalidJSON, ""},
		{"trailing data", "POST", "/v1/links", `{` + dest + `} {}`, testKey, 400, CodeInvalidJSON, ""},
		{"unknown field", "POST", "/v1/links", `{` + dest + `,"destnation":"x"}`, testKey, 400, CodeUnknownField, "destnation"},
		{"unknown nested field", "POST", "/v1/links", `{` + dest + `,"utm":{"src":"x"}}`, testKey, 400, CodeUnknownField, "src"},
		{"wrong type", "POST", "/v1/links", `{"destination_url":42}`, testKey, 400, CodeInvalidField, "destination_url"},
		{"wrong nested type", "POST", "/v1/links", `{` + dest + `,"utm":{"source":1}}`, testKey, 400, CodeInvalidField, "utm.source"},
		{"wrong tags type", "POST", "/v1/links", `{` + dest + `,"tags":"a"}`, testKey, 400, CodeInvalidField, "tags"},
		{"wrong metadata type", "POST", "/v1/links", `{` + dest + `,"metadata":{"k":1}}`, testKey, 400, CodeInvalidField, "metadata"},
		{"missing destination", "POST", "/v1/links", `{"path":"x"}`, testKey, 400, CodeInvalidField, "destination_url"},
		{"javascript URL", "POST", "/v1/links", `{"destination_url":"javascript:alert(1)"}`, testKey, 400, CodeInvalidField, "destination_url"},
		{"data URL", "POST", "/v1/links", `{"destination_url":"data:text/html,<script>x</script>"}`, testKey, 400, CodeInvalidField, "destination_url"},
		{"userinfo URL", "POST", "/v1/links", `{"destination_url":"https://u:p@example.org/"}`, testKey, 400, CodeInvalidField, "destination_url"},
		{"relative URL", "POST", "/v1/links", `{"destination_url":"/x"}`, testKey, 400, CodeInvalidField, "destination_url"},
		{"other domain", "POST", "/v1/links", `{` + dest + `,"domain":"evil.example"}`, testKey, 400, CodeDomainNotAllowed, "domain"},
		{"bad path", "POST", "/v1/links", `{` + dest + `,"path":"../x"}`, testKey, 400, CodeInvalidField, "path"},
		{"bad expires_at", "POST", "/v1/links", `{` + dest + `,"expires_at":"tomorrow"}`, testKey, 400, CodeInvalidField, "expires_at"},
		{"bad redirect code", "POST", "/v1/links", `{` + dest + `,"redirect_code":200}`, testKey, 400, CodeInvalidField, "redirect_code"},
		{"too many tags", "POST", "/v1/links", `{` + dest + `,"tags":[` + strings.Repeat(`"t",`, redirect.MaxTags) + `"t"]}`, testKey, 400, CodeInvalidField, "tags"},
		{"too large", "POST", "/v1/links", `{` + dest + `,"path":"` + strings.Repeat("a", maxBodyBytes) + `"}`, testKey, 413, CodeBodyTooLarge, ""},
		{"path taken", "POST", "/v1/links", `{` + dest + `,"path":"taken"}`, testKey, 409, CodePathTaken, "path"},
		{"unknown id", "GET", "/v1/links/" + redirect.NewLinkID(), "", testKey, 404, CodeNotFound, ""},
		{"unknown route", "GET", "/v2/nothing", "", testKey, 404, CodeNotFound, ""},
		{"wrong method", "DELETE", "/v1/links", "", testKey, 405, CodeMethodNotAllowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, eb := f.do(t, tc.method, tc.target, tc.body, tc.key)
			if rec.Code != tc.status || eb.Error.Code != tc.code || eb.Error.Field != tc.field {
				t.Fatalf("got %d %s; want %d code=%s field=%s", rec.Code, rec.Body, tc.status, tc.code, tc.field)
			}
			if tc.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tc.code == CodePathTaken && eb.Error.ExistingID != taken.ID {
				t.Errorf("existing_id = %q, want %s", eb.Error.ExistingID, taken.ID)
			}
		})
	}
	if len(f.changed) != 0 {
		t.Errorf("OnLinkEvent called for failed requests: %v", f.changed)
	}
}

func TestAPIConfigValidate(t *testing.T) {
	s, _ := openTestStore(t, redirect.StoreOptions{})
	for _, tc := range []struct {
		name, wantErr string
		mutate        func(*APIConfig)
	}{
		{"valid", "", func(*APIConfig) {}},
		{"no store", "store", func(c *APIConfig) { c.Store = nil }},
		{"no keys", "api_keys", func(c *APIConfig) { c.APIKeys = nil }},
		{"short key", "api_keys[1]", func(c *APIConfig) { c.APIKeys = append(c.APIKeys, "short") }},
		{"bad domain", "default_domain", func(c *APIConfig) { c.DefaultDomain = "Go.Example.com:80" }},
		{"bad scheme", "short_url_scheme", func(c *APIConfig) { c.ShortURLScheme = "ftp" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := APIConfig{Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain}
			tc.mutate(&c)
			_, err := NewAPI(c)
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("NewAPI = %v, want error naming %q", err, tc.wantErr)
			}
		})
	}
}

func FuzzDecodeCreateLink(f *testing.F) {
	for _, s := range []string{
		`{"destination_url":"https://example.org/a?b=c","path":"x/y","utm":{"source":"s"},"tags":["a"],"metadata":{"k":"v"}}`,
		`{"destination_url":"https://example.org/","expires_at":"2027-01-01T00:00:00Z","expired_url":"https://example.org/gone","redirect_code":301}`,
		`{"destination_url":"javascript:alert(1)"}`,
		`{"destination_url":1}`, `[]`, `null`, `{"a":1}`, `{}`, "",
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		l, _, aerr := decodeCreateLink(body, testDomain, now)
		if aerr != nil {
			if l != nil || aerr.status != http.StatusBadRequest || aerr.Code == "" || aerr.Message == "" {
				t.Fatalf("bad error %+v with link %v", aerr, l)
			}
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("decoded an invalid link %+v: %v", l, err)
		}
	})
}
