package redirect

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// memClickLog keeps copies of appends, or fails them all when err is set.
type memClickLog struct {
	mu   sync.Mutex
	recs []appended
	err  error
}

type appended struct {
	topic      string
	key, value []byte
}

func (m *memClickLog) Append(topic string, key, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.recs = append(m.recs, appended{topic, key, bytes.Clone(value)}) // ClickLog must not keep value
	return nil
}

func (m *memClickLog) all() []appended {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]appended(nil), m.recs...)
}

var testNow = time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC)

type redirectFixture struct {
	store  *Store
	clicks *memClickLog
	rd     *Redirector
	links  map[string]*Link
}

func newRedirectFixture(t testing.TB, anyHost bool) *redirectFixture {
	t.Helper()
	s, _ := openTestStore(t, StoreOptions{})
	f := &redirectFixture{store: s, clicks: &memClickLog{}, links: map[string]*Link{}}
	past, future := testNow.Add(-time.Hour), testNow.Add(time.Hour)
	for _, l := range []*Link{
		testLink("spring"),
		func() *Link { l := testLink("perm"); l.RedirectCode = 301; l.UTM = schemas.UTM{}; return l }(),
		func() *Link { l := testLink("off"); l.Disabled = true; return l }(),
		func() *Link {
			l := testLink("old")
			l.ExpiresAt = &past
			l.ExpiredURL = "https://x.org/expired"
			return l
		}(),
		func() *Link { l := testLink("old-bare"); l.ExpiresAt = &past; return l }(),
		func() *Link { l := testLink("fresh"); l.ExpiresAt = &future; return l }(),
		testLink("a/b"),
	} {
		mustCreate(t, s, l)
		f.links[l.Path] = l
	}
	rd, err := NewRedirector(RedirectConfig{Store: s, Clicks: f.clicks, DefaultDomain: testDomain,
		AnyHost: anyHost, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	f.rd = rd
	return f
}

const springLocation = "https://shop.example.org/spring?ref=mail&utm_source=newsletter&utm_medium=email&utm_campaign=spring+26"

func TestRedirect(t *testing.T) { forEachFrontEnd(t, testRedirect) }

func testRedirect(t *testing.T, fe frontEnd) {
	f := newRedirectFixture(t, false)
	for _, tc := range []struct {
		name, method, host, target string
		status                     int
		location                   string
		clicks                     int
	}{
		{"302 with UTM", "GET", testDomain, "/spring", 302, springLocation, 1},
		{"host with port and upper case", "GET", "GO.Example.com:8080", "/spring", 302, springLocation, 1},
		{"one trailing slash", "GET", testDomain, "/spring/", 302, springLocation, 1},
		{"escaped characters", "GET", testDomain, "/spr%69ng", 302, springLocation, 1},
		{"nested path, query passed through", "GET", testDomain, "/a/b?x=1", 302, springLocation + "&x=1", 1},
		{"HEAD redirects too", "HEAD", testDomain, "/spring", 302, springLocation, 1},
		{"301 link without UTM", "GET", testDomain, "/perm", 301, "https://shop.example.org/spring?ref=mail", 1},
		{"not yet expired", "GET", testDomain, "/fresh", 302, springLocation, 1},
		{"unknown path", "GET", testDomain, "/nope", 404, "", 0},
		{"wrong case", "GET", testDomain, "/Spring", 404, "", 0},
		{"unknown host", "GET", "go.other.com", "/spring", 404, "", 0},
		{"invalid path", "GET", testDomain, "/a%2Fb", 404, "", 0},
		{"root", "GET", testDomain, "/", 404, "", 0},
		{"disabled", "GET", testDomain, "/off", 404, "", 0},
		{"expired with URL", "GET", testDomain, "/old", 410, "https://x.org/expired", 0},
		{"expired without URL", "GET", testDomain, "/old-bare", 410, "", 0},
		{"health", "GET", "anything", "/healthz", 200, "", 0},
		{"POST refused", "POST", testDomain, "/spring", 405, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.clicks.all())
			req := httptest.NewRequest(tc.method, tc.target, nil)
			req.Host = tc.host
			rec := fe.serve(t, f.rd, req)
			if rec.Code != tc.status || rec.Header().Get("Location") != tc.location {
				t.Fatalf("got %d Location %q; want %d %q", rec.Code, rec.Header().Get("Location"), tc.status, tc.location)
			}
			if got := len(f.clicks.all()) - before; got != tc.clicks {
				t.Errorf("%d clicks recorded, want %d", got, tc.clicks)
			}
			if (tc.status == 302 || tc.status == 301 || tc.status == 410) && rec.Header().Get("Cache-Control") != "private, max-age=0" {
				t.Errorf("Cache-Control = %q", rec.Header().Get("Cache-Control"))
			}
			if tc.status == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", rec.Header().Get("Allow"))
			}
			if tc.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD answered a body %q", rec.Body)
			}
		})
	}
	want := Stats{Served: 8, NotFound: 6, Expired: 2}
	if got := f.rd.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestRedirectRecordsClick(t *testing.T) { forEachFrontEnd(t, testRedirectRecordsClick) }

func testRedirectRecordsClick(t *testing.T, fe frontEnd) {
	f := newRedirectFixture(t, false)
	req := httptest.NewRequest("GET", "/spring", nil)
	req.Host = testDomain
	req.RemoteAddr = "203.0.113.9:51234"
	req.Header.Set("User-Agent", "Mozilla/5.0 test")
	req.Header.Set("Referer", "https://mail.example.net/")
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	fe.serve(t, f.rd, req)

	recs := f.clicks.all()
	if len(recs) != 1 {
		t.Fatalf("%d clicks recorded, want 1", len(recs))
	}
	l := f.links["spring"]
	if recs[0].topic != schemas.TopicClicksRaw || string(recs[0].key) != l.ID {
		t.Errorf("appended to %s with key %s", recs[0].topic, recs[0].key)
	}
	c, err := schemas.DecodeRawClick(recs[0].value)
	if err != nil {
		t.Fatalf("recorded click does not decode: %v", err)
	}
	want := schemas.RawClick{
		V: schemas.RawClickVersion, EventID: c.EventID, Type: schemas.ClickTypeClick, Time: testNow,
		WorkspaceID: DefaultWorkspaceID, LinkID: l.ID, Domain: testDomain, Path: "spring",
		Destination: springLocation, IP: "203.0.113.9", UserAgent: "Mozilla/5.0 test",
		Referer: "https://mail.example.net/", AcceptLanguage: "fr-FR,fr;q=0.9",
		UTM: l.UTM, Tags: l.Tags, Metadata: l.Metadata,
	}
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("click = %+v\nwant    %+v", *c, want)
	}
	if c.EventID[14] != '7' {
		t.Errorf("event id %s is not a UUIDv7", c.EventID)
	}
}

func TestRedirectCaptureFailureStillRedirects(t *testing.T) {
	forEachFrontEnd(t, testRedirectCaptureFailureStillRedirects)
}

func testRedirectCaptureFailureStillRedirects(t *testing.T, fe frontEnd) {
	f := newRedirectFixture(t, false)
	f.clicks.err = errors.New("spool full")
	req := httptest.NewRequest("GET", "/spring", nil)
	req.Host = testDomain
	rec := fe.serve(t, f.rd, req)
	if rec.Code != 302 {
		t.Fatalf("status %d, want 302", rec.Code)
	}
	if s := f.rd.Stats(); s.CaptureErrors != 1 || s.Served != 1 {
		t.Errorf("Stats = %+v", s)
	}
}

// TestRedirectOverHTTP goes through a real server and client: Host and
// RemoteAddr as net/http sets them, HEAD without a body, no redirect following.
func TestRedirectOverHTTP(t *testing.T) { forEachFrontEnd(t, testRedirectOverHTTP) }

func testRedirectOverHTTP(t *testing.T, fe frontEnd) {
	f := newRedirectFixture(t, true)
	base := fe.start(t, f.rd)
	client := noFollow(t)

	for _, method := range []string{"GET", "HEAD"} {
		req, _ := http.NewRequest(method, base+"/spring", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 302 || resp.Header.Get("Location") != springLocation || len(body) != 0 {
			t.Errorf("%s: %d %q body %q", method, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	recs := f.clicks.all()
	if len(recs) != 2 {
		t.Fatalf("%d clicks, want 2", len(recs))
	}
	c, err := schemas.DecodeRawClick(recs[0].value)
	if err != nil || c.IP != "127.0.0.1" || c.Domain != testDomain {
		t.Errorf("click %+v, %v", c, err)
	}
}

func TestRedirectConfigValidate(t *testing.T) {
	s, _ := openTestStore(t, StoreOptions{})
	for _, tc := range []struct {
		name, wantErr string
		mutate        func(*RedirectConfig)
	}{
		{"valid", "", func(*RedirectConfig) {}},
		{"no store", "store", func(c *RedirectConfig) { c.Store = nil }},
		{"no click log", "clicks", func(c *RedirectConfig) { c.Clicks = nil }},
		{"any host needs a domain", "default_domain", func(c *RedirectConfig) { c.DefaultDomain = "" }},
		{"bad domain", "default_domain", func(c *RedirectConfig) { c.DefaultDomain = "a_b" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := RedirectConfig{Store: s, Clicks: &memClickLog{}, DefaultDomain: testDomain, AnyHost: true}
			tc.mutate(&c)
			_, err := NewRedirector(c)
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("NewRedirector = %v, want error naming %q", err, tc.wantErr)
			}
		})
	}
}

func TestHostOnly(t *testing.T) {
	for in, want := range map[string]string{
		"go.example.com": "go.example.com", "Go.Example.COM:443": "go.example.com",
		"[::1]:8080": "[::1]", "go.example.com.": "go.example.com", "go.example.com.:80": "go.example.com", "[::1]": "[::1]", "": "",
	} {
		if got := hostOnly(in); got != want {
			t.Errorf("hostOnly(%q) = %q, want %q", in, got, want)
		}
	}
}

type discardClicks struct{}

func (discardClicks) Append(string, []byte, []byte) error { return nil }

// benchWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the redirector rather than httptest.ResponseRecorder.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(int)             {}

func BenchmarkRedirect(b *testing.B) {
	f := newRedirectFixture(b, false)
	rd, err := NewRedirector(RedirectConfig{Store: f.store, Clicks: discardClicks{}})
	if err != nil {
		b.Fatal(err)
	}
	newReq := func() *http.Request {
		req := httptest.NewRequest("GET", "/spring", nil)
		req.Host = testDomain
		req.RemoteAddr = "203.0.113.9:51234"
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36")
		req.Header.Set("Accept-Language", "en-US,en;q=0.9")
		return req
	}
	b.Run("serial", func(b *testing.B) {
		req, w := newReq(), &benchWriter{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			rd.ServeHTTP(w, req)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req, w := newReq(), &benchWriter{h: http.Header{}}
			for pb.Next() {
				clear(w.h)
				rd.ServeHTTP(w, req)
			}
		})
	})
	if s := rd.Stats(); s.Served == 0 || s.NotFound != 0 {
		b.Fatalf("benchmark did not redirect: %+v", s)
	}
}
