package linkcheck

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"go.uber.org/goleak"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/redirect"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newClock is the checker's clock in tests; rounds advance it by hand.
func newClock() *testutil.Clock {
	return testutil.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
}

// recorder is an Emit that keeps what it got; fail, when set, decides
// whether a call fails.
type recorder struct {
	mu     sync.Mutex
	events []Event
	tried  []Event
	fail   func(Event) error
}

func (r *recorder) Emit(_ context.Context, ev Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tried = append(r.tried, ev)
	if r.fail != nil {
		if err := r.fail(ev); err != nil {
			return err
		}
	}
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// fixture is a link store and a checker over it, on in-memory filesystems.
type fixture struct {
	t     testing.TB
	store *redirect.Store
	fs    vfs.FS
	clock *testutil.Clock
	rec   *recorder
	cfg   Config
	c     *Checker
}

// testResolve maps every name ending in ".test" to loopback, "gone.test"
// excepted (it does not resolve), and "intranet.test" to 10.0.0.5.
func testResolve(_ context.Context, host string) ([]netip.Addr, error) {
	switch {
	case host == "gone.test":
		return nil, &testDNSError{host}
	case host == "intranet.test":
		return []netip.Addr{netip.MustParseAddr("10.0.0.5")}, nil
	case strings.HasSuffix(host, ".test"):
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, &testDNSError{host}
}

type testDNSError struct{ host string }

func (e *testDNSError) Error() string { return "no such host " + e.host }

func newFixture(t testing.TB, mutate func(*Config)) *fixture {
	t.Helper()
	store, err := redirect.OpenStore("links", redirect.StoreOptions{FS: vfs.NewMem()})
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{t: t, store: store, fs: vfs.NewMem(), clock: newClock(), rec: &recorder{}}
	f.cfg = Config{
		Links: store, Emit: f.rec.Emit, StateDir: "state", FS: f.fs,
		Interval: time.Hour, BackoffBase: time.Minute, BackoffMax: 8 * time.Minute,
		RatePerSecond: 10_000, Timeout: 5 * time.Second,
		AllowPrivate: true, Resolve: testResolve, Now: f.clock.Now,
	}
	if mutate != nil {
		mutate(&f.cfg)
	}
	f.open()
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	c, err := New(f.cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	f.c = c
	f.t.Cleanup(func() {
		if err := c.Close(); err != nil {
			f.t.Errorf("Close: %v", err)
		}
	})
}

// link stores an active link to dest; mutate may change it first.
func (f *fixture) link(path, dest string, mutate ...func(*redirect.Link)) *redirect.Link {
	f.t.Helper()
	now := f.clock.Now()
	l := &redirect.Link{
		WorkspaceID: redirect.DefaultWorkspaceID, Domain: "go.example.com", Path: path,
		DestinationURL: dest, CreatedAt: now, UpdatedAt: now,
	}
	for _, m := range mutate {
		m(l)
	}
	if err := f.store.Create(context.Background(), l); err != nil {
		f.t.Fatalf("Create %s: %v", path, err)
	}
	return l
}

// round runs CheckOnce and fails the test on error.
func (f *fixture) round() Report {
	f.t.Helper()
	rep, err := f.c.CheckOnce(context.Background())
	if err != nil {
		f.t.Fatalf("CheckOnce: %v", err)
	}
	return rep
}

// dest returns the state of a destination, which must exist.
func (f *fixture) dest(u string) DestinationState {
	f.t.Helper()
	st, ok, err := f.c.Destination(u)
	if err != nil || !ok {
		f.t.Fatalf("Destination(%s) = %v, %v", u, ok, err)
	}
	return st
}
