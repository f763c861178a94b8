package linkcheck

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

// target is an httptest server answering status (changeable) and counting
// requests by method.
type testServer struct {
	*httptest.Server
	status      atomic.Int32
	heads, gets atomic.Int32
}

func newTestServer(t testing.TB, status int) *testServer {
	t.Helper()
	s := &testServer{}
	s.status.Store(int32(status))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			s.heads.Add(1)
		} else {
			s.gets.Add(1)
		}
		w.WriteHeader(int(s.status.Load()))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) requests() int32 { return s.heads.Load() + s.gets.Load() }

func TestBrokenEmitsOnceAfterConfirmation(t *testing.T) {
	srv := newTestServer(t, http.StatusInternalServerError)
	f := newFixture(t, nil)
	dest := srv.URL + "/landing"
	l := f.link("spring", dest, func(l *redirect.Link) { l.Tags = []string{"spring"} })

	rep := f.round()
	if got := f.rec.Events(); len(got) != 0 {
		t.Fatalf("first failure emitted %v; want confirmation first", got)
	}
	if rep.Probed != 1 || f.dest(dest).ConsecutiveFailures != 1 {
		t.Fatalf("after round 1: report %+v, state %+v", rep, f.dest(dest))
	}

	f.clock.Advance(time.Minute) // the first backoff
	f.round()
	got := f.rec.Events()
	if len(got) != 1 {
		t.Fatalf("after the second failure: events %v, want 1", got)
	}
	ev := got[0]
	want := Event{ID: ev.ID, Type: EventDestinationBroken, Timestamp: f.clock.Now(), WorkspaceID: redirect.DefaultWorkspaceID,
		LinkID: l.ID, Domain: "go.example.com", Path: "spring", Tags: []string{"spring"}, Field: "destination_url", Destination: dest,
		Status: 500, Error: "status: 500", ConsecutiveFailures: 2}
	if !reflect.DeepEqual(ev, want) || ev.ID == "" {
		t.Fatalf("event\n got %+v\nwant %+v", ev, want)
	}

	for range 3 {
		f.clock.Advance(time.Hour)
		f.round()
	}
	if got := f.rec.Events(); len(got) != 1 {
		t.Fatalf("later failures emitted again: %v", got[1:])
	}
	if n := f.dest(dest).ConsecutiveFailures; n != 5 {
		t.Fatalf("consecutive failures = %d, want 5 (still checked while broken)", n)
	}
}

func TestRecoveryEmitsRecovered(t *testing.T) {
	srv := newTestServer(t, http.StatusBadGateway)
	f := newFixture(t, nil)
	dest := srv.URL + "/"
	l := f.link("spring", dest)
	f.round()
	f.clock.Advance(time.Minute)
	f.round()
	srv.status.Store(http.StatusOK)
	f.clock.Advance(2 * time.Minute)
	rep := f.round()
	got := f.rec.Events()
	if len(got) != 2 || got[1].Type != EventDestinationRecovered || rep.Recovered != 1 {
		t.Fatalf("events %+v, report %+v; want broken then recovered", got, rep)
	}
	if r := got[1]; r.LinkID != l.ID || r.Status != 200 || r.Error != "" || r.ConsecutiveFailures != 0 || r.ID == got[0].ID {
		t.Fatalf("recovered event %+v", r)
	}
	f.clock.Advance(2 * time.Hour)
	f.round()
	if n := len(f.rec.Events()); n != 2 {
		t.Fatalf("a healthy destination emitted again: %d events", n)
	}
}

func TestStatusClassification(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		broken bool
	}{
		{"200 works", 200, false},
		{"204 works", 204, false},
		{"304 works", 304, false},
		{"404 is broken", 404, true},
		{"410 is broken", 410, true},
		{"500 is broken", 500, true},
		{"503 is broken", 503, true},
		{"401 is guarded", 401, false},
		{"403 is guarded", 403, false},
		{"405 is guarded", 405, false},
		{"429 is guarded", 429, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, tc.status)
			f := newFixture(t, nil)
			f.link("x", srv.URL+"/x")
			f.round()
			f.clock.Advance(time.Hour)
			f.round()
			if got := len(f.rec.Events()) == 1; got != tc.broken {
				t.Fatalf("status %d: broken event = %v, want %v (events %+v)", tc.status, got, tc.broken, f.rec.Events())
			}
		})
	}
}

func TestHeadRefusedFallsBackToGet(t *testing.T) {
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound) // a server that refuses HEAD badly
			return
		}
		gets.Add(1)
		w.Write([]byte(strings.Repeat("x", 64<<10)))
	}))
	defer srv.Close()
	f := newFixture(t, nil)
	f.link("x", srv.URL+"/")
	f.round()
	f.clock.Advance(time.Hour) // Interval: due again
	f.round()
	if len(f.rec.Events()) != 0 || gets.Load() != 2 {
		t.Fatalf("events %v, GETs %d; want none and 2 (one a round)", f.rec.Events(), gets.Load())
	}
	if st := f.dest(srv.URL + "/"); !st.healthy() || st.Status != 200 {
		t.Fatalf("state %+v, want healthy after GET 200", st)
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		switch n := r.PathValue("n"); n {
		case "3":
			http.Redirect(w, r, "/final", http.StatusFound)
		default:
			http.Redirect(w, r, "/hop/"+string(n[0]+1), http.StatusMovedPermanently)
		}
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/app", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "myapp://item/42", http.StatusFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		name, path string
		wantErr    string
	}{
		{"four hops to a page", "/hop/0", ""},
		{"a loop", "/loop", "redirects: "},
		{"to an app deep link", "/app", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.MaxRedirects = 5; c.ConfirmFailures = 1 })
			f.link("x", srv.URL+tc.path)
			f.round()
			st := f.dest(srv.URL + tc.path)
			if !strings.HasPrefix(st.Error, tc.wantErr) || (tc.wantErr == "") != st.healthy() {
				t.Fatalf("state %+v, want error prefix %q", st, tc.wantErr)
			}
		})
	}
}

func TestFailureKinds(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hang.Close()
	defer close(release)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	for _, tc := range []struct {
		name, dest, wantPrefix string
	}{
		{"host does not resolve", "http://gone.test/x", "dns: "},
		{"connection refused", closedURL + "/x", "connect: "},
		{"no answer in time", hang.URL + "/x", "timeout: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Timeout = 200 * time.Millisecond; c.ConfirmFailures = 1 })
			f.link("x", tc.dest)
			f.round()
			got := f.rec.Events()
			if len(got) != 1 || !strings.HasPrefix(got[0].Error, tc.wantPrefix) {
				t.Fatalf("events %+v, want one broken with error %q...", got, tc.wantPrefix)
			}
		})
	}
}

func TestGuardRefusesPrivateDestinations(t *testing.T) {
	srv := newTestServer(t, http.StatusOK)
	f := newFixture(t, func(c *Config) { c.AllowPrivate = false })
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	dests := []string{
		srv.URL + "/literal",            // 127.0.0.1
		"http://loop.test" + port + "/", // resolves to 127.0.0.1
		"http://intranet.test/",         // resolves to 10.0.0.5
		"http://[::ffff:7f00:1]" + port, // v4-mapped loopback
	}
	for i, d := range dests {
		f.link(string(rune('a'+i)), d)
	}
	rep := f.round()
	f.clock.Advance(2 * time.Hour)
	f.round()
	if n := srv.requests(); n != 0 {
		t.Fatalf("the guard let %d requests reach a loopback server", n)
	}
	if rep.Blocked != len(dests) || len(f.rec.Events()) != 0 {
		t.Fatalf("report %+v, events %v; want %d blocked and no events", rep, f.rec.Events(), len(dests))
	}
	if st := f.dest("http://intranet.test/"); !st.Blocked || !strings.Contains(st.Error, "10.0.0.5 is private") {
		t.Fatalf("intranet state %+v", st)
	}
}

func TestInactiveLinksAreNotChecked(t *testing.T) {
	srv := newTestServer(t, http.StatusInternalServerError)
	f := newFixture(t, nil)
	past := f.clock.Now().Add(-time.Hour)
	f.link("disabled", srv.URL+"/d", func(l *redirect.Link) { l.Disabled = true })
	f.link("deleted", srv.URL+"/del", func(l *redirect.Link) { l.DeletedAt = &past })
	f.link("expired", srv.URL+"/e", func(l *redirect.Link) { l.ExpiresAt = &past })
	rep := f.round()
	if srv.requests() != 0 || rep.Links != 3 || rep.Active != 0 {
		t.Fatalf("requests %d, report %+v; want no request for 3 inactive links", srv.requests(), rep)
	}
}

func TestIdenticalDestinationsCheckedOncePerRound(t *testing.T) {
	srv := newTestServer(t, http.StatusNotFound)
	f := newFixture(t, func(c *Config) { c.PageSize = 2 })
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		f.link(p, srv.URL+"/same")
	}
	f.round()
	if n := srv.heads.Load(); n != 1 {
		t.Fatalf("HEAD requests in one round over 5 links (3 pages) = %d, want 1", n)
	}
	f.clock.Advance(time.Minute)
	f.round()
	if n := len(f.rec.Events()); n != 5 {
		t.Fatalf("broken events = %d, want one per link (5)", n)
	}
}

func TestRuleAndVariantDestinations(t *testing.T) {
	ok := newTestServer(t, http.StatusOK)
	bad := newTestServer(t, http.StatusServiceUnavailable)
	f := newFixture(t, func(c *Config) { c.ConfirmFailures = 1 })
	f.link("ab", ok.URL+"/main", func(l *redirect.Link) {
		l.Rules = []redirect.Rule{{ID: "ios", OS: []string{"ios"}, DestinationURL: "myapp://item/1"}}
		l.Variants = []redirect.Variant{{ID: "a", Weight: 1, DestinationURL: ok.URL + "/a"}, {ID: "b", Weight: 1, DestinationURL: bad.URL + "/b"}}
	})
	f.round()
	got := f.rec.Events()
	if len(got) != 1 || got[0].Field != "variants[1].destination_url" || got[0].Destination != bad.URL+"/b" {
		t.Fatalf("events %+v, want variants[1] broken", got)
	}
	if ok.requests() != 2 {
		t.Fatalf("requests to the working server = %d, want 2 (main and variant a)", ok.requests())
	}
}

func TestChangedDestinationDropsAlert(t *testing.T) {
	bad := newTestServer(t, http.StatusNotFound)
	good := newTestServer(t, http.StatusOK)
	f := newFixture(t, func(c *Config) { c.ConfirmFailures = 1 })
	l := f.link("x", bad.URL+"/")
	f.round()
	l.DestinationURL = good.URL + "/"
	if err := f.store.Put(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	f.round()
	if alerts, err := f.c.state.alerts(l.ID); err != nil || len(alerts) != 0 {
		t.Fatalf("alerts after the destination changed: %v, %v", alerts, err)
	}
	if got := f.rec.Events(); len(got) != 1 {
		t.Fatalf("events %+v: a replaced destination is not a recovery", got)
	}
}

func TestRestartDoesNotRealert(t *testing.T) {
	srv := newTestServer(t, http.StatusInternalServerError)
	f := newFixture(t, func(c *Config) { c.ConfirmFailures = 1 })
	f.link("x", srv.URL+"/")
	f.round()
	if err := f.c.Close(); err != nil {
		t.Fatal(err)
	}
	f.open() // same state FS
	f.clock.Advance(time.Hour)
	f.round()
	if n := len(f.rec.Events()); n != 1 {
		t.Fatalf("events after a restart = %d, want the 1 from before", n)
	}
	if st := f.dest(srv.URL + "/"); st.ConsecutiveFailures != 2 {
		t.Fatalf("state after restart %+v, want the failures counted on", st)
	}
}

func TestEmitFailureIsRetriedWithTheSameID(t *testing.T) {
	srv := newTestServer(t, http.StatusInternalServerError)
	f := newFixture(t, func(c *Config) { c.ConfirmFailures = 1 })
	var calls atomic.Int32
	f.rec.fail = func(Event) error {
		if calls.Add(1) == 1 {
			return errors.New("webhook queue unavailable")
		}
		return nil
	}
	f.link("x", srv.URL+"/")
	if rep := f.round(); rep.EmitErrors != 1 || rep.Broken != 0 {
		t.Fatalf("report %+v, want one emit error", rep)
	}
	checks := srv.requests()
	f.round() // not due again yet: the alert is retried from the stored state
	if len(f.rec.tried) != 2 || len(f.rec.events) != 1 || f.rec.tried[0].ID != f.rec.tried[1].ID {
		t.Fatalf("tried %+v, emitted %+v; want the same event retried once", f.rec.tried, f.rec.events)
	}
	if srv.requests() != checks {
		t.Fatalf("requests %d -> %d; a retried emit must not re-check", checks, srv.requests())
	}
}

func TestBackoffGrows(t *testing.T) {
	srv := newTestServer(t, http.StatusInternalServerError)
	f := newFixture(t, func(c *Config) { c.BackoffBase = time.Minute; c.BackoffMax = 4 * time.Minute })
	dest := srv.URL + "/"
	f.link("x", dest)
	var waits []time.Duration
	for range 5 {
		f.round()
		st := f.dest(dest)
		w := st.NextDue.Sub(st.LastCheck)
		waits = append(waits, w)
		checks := srv.requests()
		f.clock.Advance(w - time.Second)
		f.round()
		if srv.requests() != checks {
			t.Fatalf("checked again %v before it was due", time.Second)
		}
		f.clock.Advance(time.Second)
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute, 4 * time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits after each failure = %v, want %v", waits, want)
		}
	}
	if n := srv.requests(); n != 10 { // HEAD 500, then GET 500, per check
		t.Fatalf("requests = %d, want 10 (one check per due time)", n)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	srv := newTestServer(t, http.StatusOK)
	f := newFixture(t, func(c *Config) { c.RoundInterval = time.Hour })
	f.link("x", srv.URL+"/")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.c.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for srv.requests() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil || srv.requests() == 0 {
		t.Fatalf("Run = %v after %d requests; want nil after the first round", err, srv.requests())
	}
}
