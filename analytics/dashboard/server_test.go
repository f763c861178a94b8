package dashboard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/clicktrail/clicktrail/analytics"
	"github.com/clicktrail/clicktrail/analytics/dashboard"
)

// fakeKeys holds keys by their secret; revoked ones are refused by both
// Check and Active.
type fakeKeys struct {
	mu      sync.Mutex
	keys    map[string]dashboard.Principal
	revoked map[string]bool // by key id
}

func (k *fakeKeys) Check(_ context.Context, key string) (dashboard.Principal, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p, ok := k.keys[key]
	if !ok || k.revoked[p.KeyID] {
		return dashboard.Principal{}, dashboard.ErrBadKey
	}
	return p, nil
}

func (k *fakeKeys) Active(_ context.Context, p dashboard.Principal) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.revoked[p.KeyID] {
		return dashboard.ErrBadKey
	}
	return nil
}

func (k *fakeKeys) revoke(id string, revoked bool) {
	k.mu.Lock()
	k.revoked[id] = revoked
	k.mu.Unlock()
}

// fakeLinks knows one link, lnk_1 of workspace ws_1.
type fakeLinks struct{}

func (fakeLinks) WorkspaceOf(_ context.Context, id string) (string, error) {
	if id != "lnk_1" {
		return "", analytics.ErrNotFound
	}
	return "ws_1", nil
}

func (fakeLinks) Link(_ context.Context, id string) (dashboard.Link, error) {
	if id != "lnk_1" {
		return dashboard.Link{}, analytics.ErrNotFound
	}
	return dashboard.Link{ID: id, Domain: "go.brand.test", Path: "spring", Destination: "https://shop.example/spring"}, nil
}

// fakeReader has no clicks.
type fakeReader struct{}

func (fakeReader) Clicks(context.Context, analytics.Query) ([]analytics.Count, error) {
	return nil, nil
}
func (fakeReader) Conversions(context.Context, analytics.Query) ([]analytics.Count, error) {
	return nil, nil
}

const (
	readKey  = "ct_read_key_0123456789"
	adminKey = "ct_admin_key_0123456789"
	linksKey = "ct_links_key_0123456789"
)

// site is a dashboard on an httptest handler, as a browser on its own
// page would talk to it.
type site struct {
	t    *testing.T
	h    http.Handler
	keys *fakeKeys
}

func newSite(t *testing.T, insecure bool) *site {
	t.Helper()
	keys := &fakeKeys{revoked: map[string]bool{}, keys: map[string]dashboard.Principal{
		readKey:  {WorkspaceID: "ws_1", KeyID: "key_read", Scopes: []string{"analytics:read"}},
		adminKey: {WorkspaceID: "ws_1", KeyID: "key_admin", Scopes: []string{"admin"}},
		linksKey: {WorkspaceID: "ws_1", KeyID: "key_links", Scopes: []string{"links:read", "links:write"}},
	}}
	mounts, err := dashboard.Mounts(dashboard.Config{Reader: fakeReader{}, Links: fakeLinks{}, Keys: keys, InsecureCookie: insecure})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range mounts {
		mux.Handle(p, h)
	}
	return &site{t: t, h: mux, keys: keys}
}

// do sends a request; fetchSite is the Sec-Fetch-Site a browser would
// send ("" sends none), cookie the session cookie ("" none).
func (s *site) do(method, target, fetchSite, cookie string, form url.Values) *httptest.ResponseRecorder {
	s.t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if fetchSite != "" {
		r.Header.Set("Sec-Fetch-Site", fetchSite)
	}
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: "clicktrail_dashboard", Value: cookie})
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, r)
	return rec
}

// sessionCookie returns the session cookie an answer sets, nil if none.
func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "clicktrail_dashboard" {
			return c
		}
	}
	return nil
}

// signIn signs in with key from the dashboard's own page and returns the
// session id.
func (s *site) signIn(key string) string {
	s.t.Helper()
	rec := s.do("POST", "/dashboard/sign-in", "same-origin", "", url.Values{"key": {key}})
	c := sessionCookie(rec)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dashboard" || c == nil || c.Value == "" {
		s.t.Fatalf("sign-in: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	return c.Value
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the sign-out form's token from the signed-in page.
func (s *site) csrf(session string) string {
	s.t.Helper()
	rec := s.do("GET", "/dashboard", "none", session, nil)
	m := csrfField.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		s.t.Fatalf("signed-in page without a sign-out token: %d %s", rec.Code, rec.Body)
	}
	return m[1]
}

// dataStatus is the status of the page's data requests for session.
func (s *site) dataStatus(session string) int {
	s.t.Helper()
	links := s.do("GET", "/dashboard/api/links?id=lnk_1", "same-origin", session, nil).Code
	stats := s.do("GET", "/dashboard/api/stats", "same-origin", session, nil).Code
	if links != stats {
		s.t.Fatalf("links answered %d, stats %d", links, stats)
	}
	return links
}

func TestSecurityHeaders(t *testing.T) {
	s := newSite(t, false)
	session := s.signIn(readKey)
	for _, tc := range []struct {
		name, target, cookie string
		status               int
	}{
		{"sign-in page", "/dashboard", "", 200},
		{"signed-in page", "/dashboard", session, 200},
		{"link page", "/dashboard/links/lnk_1", session, 200},
		{"stylesheet", "/dashboard/assets/app.css", "", 200},
		{"script", "/dashboard/assets/app.js", "", 200},
		{"page template not served", "/dashboard/assets/page.html", "", 404},
		{"unknown path", "/dashboard/nothing", "", 404},
		{"data without a session", "/dashboard/api/stats", "", 401},
		{"data", "/dashboard/api/links?id=lnk_1", session, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := s.do("GET", tc.target, "same-origin", tc.cookie, nil)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			h := rec.Header()
			csp := h.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP %q allows inline or eval", csp)
			}
			want := map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
			if tc.status != http.StatusNotFound { // net/http's file server drops Cache-Control from its 404
				want["Cache-Control"] = "no-store"
			}
			for name, want := range want {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestSessionCookie(t *testing.T) {
	for _, insecure := range []bool{false, true} {
		s := newSite(t, insecure)
		rec := s.do("POST", "/dashboard/sign-in", "same-origin", "", url.Values{"key": {readKey}})
		c := sessionCookie(rec)
		if c == nil {
			t.Fatalf("insecure %v: no session cookie: %d %v", insecure, rec.Code, rec.Header())
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/dashboard" || c.Secure == insecure || c.MaxAge <= 0 {
			t.Errorf("insecure %v: cookie %+v: want HttpOnly, SameSite=Strict, Path=/dashboard, Secure=%v, a MaxAge", insecure, c, !insecure)
		}
		if strings.Contains(c.Value, readKey) || len(c.Value) < 40 {
			t.Errorf("cookie value %q: want a random session id, not the key", c.Value)
		}
	}
}

func TestSignInRefused(t *testing.T) {
	s := newSite(t, false)
	for _, tc := range []struct {
		name, key, fetchSite, origin string
		status                       int
		msg                          string
	}{
		{"wrong key", "ct_wrong", "same-origin", "", 401, "unknown or revoked"},
		{"no key", "", "same-origin", "", 400, "Enter an API key"},
		{"key without analytics:read", linksKey, "same-origin", "", 403, "lacks the analytics:read scope"},
		{"cross-site form", readKey, "cross-site", "", 403, "did not come from the dashboard"},
		{"same-site other origin", readKey, "same-site", "", 403, "did not come from the dashboard"},
		{"other Origin, no Sec-Fetch-Site", readKey, "", "https://evil.example", 403, "did not come from the dashboard"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/dashboard/sign-in", strings.NewReader(url.Values{"key": {tc.key}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.fetchSite != "" {
				r.Header.Set("Sec-Fetch-Site", tc.fetchSite)
			}
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, r)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.msg) || !strings.Contains(rec.Body.String(), `id="signin-error"`) {
				t.Errorf("status %d, want %d with %q on the page: %s", rec.Code, tc.status, tc.msg, rec.Body)
			}
			if c := sessionCookie(rec); c != nil {
				t.Errorf("refused sign-in set a cookie: %+v", c)
			}
		})
	}
	t.Run("admin key", func(t *testing.T) {
		if got := s.dataStatus(s.signIn(adminKey)); got != http.StatusOK {
			t.Errorf("admin key's session: data %d, want 200", got)
		}
	})
	t.Run("same Origin, no Sec-Fetch-Site", func(t *testing.T) {
		r := httptest.NewRequest("POST", "http://dash.example/dashboard/sign-in", strings.NewReader(url.Values{"key": {readKey}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "http://dash.example")
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, r)
		if rec.Code != http.StatusSeeOther || sessionCookie(rec) == nil {
			t.Errorf("status %d, want 303 with a session: %s", rec.Code, rec.Body)
		}
	})
}

// signedIn is a dashboard with a session of readKey whose data answers.
func signedIn(t *testing.T) (*site, string) {
	t.Helper()
	s := newSite(t, false)
	session := s.signIn(readKey)
	if got := s.dataStatus(session); got != http.StatusOK {
		t.Fatalf("signed in: data %d", got)
	}
	return s, session
}

func TestSignOut(t *testing.T) {
	s, session := signedIn(t)
	csrf := s.csrf(session)
	// Forced sign-outs are refused and leave the session alive.
	for name, tc := range map[string]struct {
		fetchSite, csrf string
	}{
		"cross-site":     {"cross-site", csrf},
		"no token":       {"same-origin", ""},
		"another token":  {"same-origin", strings.Repeat("A", len(csrf))},
		"same-site page": {"same-site", csrf},
	} {
		rec := s.do("POST", "/dashboard/sign-out", tc.fetchSite, session, url.Values{"csrf": {tc.csrf}})
		if rec.Code != http.StatusForbidden || sessionCookie(rec) != nil {
			t.Errorf("%s sign-out: %d %v, want 403 and no cookie change", name, rec.Code, rec.Header())
		}
		if got := s.dataStatus(session); got != http.StatusOK {
			t.Fatalf("after the refused %s sign-out: data %d, want 200", name, got)
		}
	}
	rec := s.do("POST", "/dashboard/sign-out", "same-origin", session, url.Values{"csrf": {csrf}})
	c := sessionCookie(rec)
	if rec.Code != http.StatusSeeOther || c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Fatalf("sign-out: %d, cookie %+v: want 303 and the cookie deleted", rec.Code, c)
	}
	// The session is gone on the server, not only in the browser.
	if got := s.dataStatus(session); got != http.StatusUnauthorized {
		t.Errorf("after sign-out: data %d, want 401", got)
	}
	if body := s.do("GET", "/dashboard", "none", session, nil).Body.String(); !strings.Contains(body, `id="key"`) {
		t.Errorf("after sign-out the page is not the sign-in form: %s", body)
	}
}

func TestRevokedKeyEndsSession(t *testing.T) {
	s, session := signedIn(t)
	other := s.signIn(adminKey)
	s.keys.revoke("key_read", true)
	if got := s.dataStatus(session); got != http.StatusUnauthorized {
		t.Errorf("key revoked: data %d, want 401", got)
	}
	// The session ended with the revocation: restoring the key does not
	// bring it back.
	s.keys.revoke("key_read", false)
	if got := s.dataStatus(session); got != http.StatusUnauthorized {
		t.Errorf("key restored: the ended session answers %d, want 401", got)
	}
	if got := s.dataStatus(other); got != http.StatusOK {
		t.Errorf("another key's session: data %d, want 200", got)
	}
	if got := s.dataStatus("forged-session-id"); got != http.StatusUnauthorized {
		t.Errorf("unknown session id: data %d, want 401", got)
	}
}
