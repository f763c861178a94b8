package linkapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/redirect"
)

// lifecycleFixture is the link API and a redirector over one real pebble
// store, with a clock the test moves and a record of lifecycle events.
type lifecycleFixture struct {
	store *redirect.Store
	api   http.Handler
	rd    *redirect.Redirector
	clock *testutil.Clock // of the API and the redirector, from testNow

	mu     sync.Mutex
	events []string                     // "link.created lnk_..."
	hook   func(string, *redirect.Link) // called inside OnLinkEvent when set
}

func newLifecycleFixture(t testing.TB) *lifecycleFixture {
	t.Helper()
	s, _ := openTestStore(t, redirect.StoreOptions{})
	f := &lifecycleFixture{store: s, clock: testutil.NewClock(testNow)}
	api, err := NewAPI(APIConfig{
		Store:         s,
		APIKeys:       []string{testKey},
		DefaultDomain: testDomain,
		RateLimit:     RateLimitConfig{PerSecond: -1},
		OnLinkEvent: func(typ string, l *redirect.Link) {
			f.mu.Lock()
			f.events = append(f.events, typ+" "+l.ID)
			hook := f.hook
			f.mu.Unlock()
			if hook != nil {
				hook(typ, l)
			}
		},
		Now: f.clock.Now,
		Destinations: DestinationPolicy{Resolve: func(_ context.Context, host string) ([]netip.Addr, error) {
			if host == "intranet.example.org" {
				return []netip.Addr{netip.MustParseAddr("10.0.0.1")}, nil
			}
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.api = api
	f.rd, err = redirect.NewRedirector(redirect.RedirectConfig{Store: s, Clicks: &memClickLog{}, DefaultDomain: testDomain, AnyHost: true,
		VisitorSecret: []byte("0123456789abcdef0123456789abcdef"), Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *lifecycleFixture) takeEvents() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.events
	f.events = nil
	return e
}

// call sends a request to the API with the test key; header is name, value
// pairs.
func (f *lifecycleFixture) call(t testing.TB, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testKey)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, req)
	return rec
}

// create posts body and returns the created link.
func (f *lifecycleFixture) create(t testing.TB, body string) *redirect.Link {
	t.Helper()
	rec := f.call(t, "POST", "/v1/links", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create %s: %d %s", body, rec.Code, rec.Body)
	}
	return decodeLinkBody(t, rec)
}

// redirectStatus is the redirector's answer status for path.
func (f *lifecycleFixture) redirectStatus(path string) int {
	req := httptest.NewRequest("GET", "/"+path, nil)
	req.Host = testDomain
	rec := httptest.NewRecorder()
	f.rd.ServeHTTP(rec, req)
	return rec.Code
}

func decodeLinkBody(t testing.TB, rec *httptest.ResponseRecorder) *redirect.Link {
	t.Helper()
	var lr linkResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &lr); err != nil || lr.Link == nil {
		t.Fatalf("not a link: %s (%v)", rec.Body, err)
	}
	return lr.Link
}

// apiErr decodes an error answer and checks its shape.
func apiErr(t testing.TB, rec *httptest.ResponseRecorder) APIError {
	t.Helper()
	var eb struct{ Error APIError }
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
		t.Fatalf("%d: not an error body: %s (%v)", rec.Code, rec.Body, err)
	}
	return eb.Error
}

func checkErr(t testing.TB, rec *httptest.ResponseRecorder, status int, code, field string) APIError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	e := apiErr(t, rec)
	if e.Code != code || e.Field != field {
		t.Fatalf("error %s/%s, want %s/%s: %s", e.Code, e.Field, code, field, rec.Body)
	}
	return e
}
