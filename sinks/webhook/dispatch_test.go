package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
)

// results collects OnResult calls per endpoint.
type results struct {
	mu  sync.Mutex
	got map[string][]Result
}

func (rs *results) add(j Job, r Result) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.got == nil {
		rs.got = map[string][]Result{}
	}
	rs.got[j.Endpoint.ID] = append(rs.got[j.Endpoint.ID], r)
}

func (rs *results) of(id string) []Result {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]Result(nil), rs.got[id]...)
}

func newTestDispatcher(t *testing.T, s Sender, cfg DispatcherConfig, rs *results) *Dispatcher {
	t.Helper()
	d, err := NewDispatcher(s, cfg, rs.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = d.Close(ctx) // a no-op when the test closed it already
	})
	return d
}

// TestDispatcherIsolatesEndpoints: one endpoint hangs with its workers busy
// and its queue full; another still receives every message promptly.
func TestDispatcherIsolatesEndpoints(t *testing.T) {
	release := make(chan struct{})
	hang := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // before the server closes
	fast := newReceiver(t, nil)

	// The attempt timeout is far longer than the test: the hang is real.
	deliverer := newTestDeliverer(t, Config{AllowPrivate: true, Timeout: time.Hour})
	var rs results
	d := newTestDispatcher(t, deliverer, DispatcherConfig{Concurrency: 2, QueueLen: 3}, &rs)
	hangEP, fastEP := hang.endpoint("hang"), fast.endpoint("fast")

	for i := range 2 {
		if err := d.Submit(Job{Endpoint: hangEP, Message: numbered(t, i), Attempt: 1}); err != nil {
			t.Fatal(err)
		}
	}
	testutil.WaitFor(t, "both hanging attempts in flight", func() bool { _, _, hits := hang.received(); return hits == 2 })
	for i := 2; i < 5; i++ {
		if err := d.Submit(Job{Endpoint: hangEP, Message: numbered(t, i), Attempt: 1}); err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
	}
	if err := d.Submit(Job{Endpoint: hangEP, Message: numbered(t, 5), Attempt: 1}); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("submit beyond the queue = %v, want ErrQueueFull", err)
	}

	for i := range 10 {
		if err := d.Submit(Job{Endpoint: fastEP, Message: numbered(t, i), Attempt: 1}); err != nil {
			t.Fatalf("submit fast %d: %v", i, err)
		}
		testutil.WaitFor(t, fmt.Sprintf("fast message %d", i), func() bool { return len(rs.of("fast")) == i+1 })
		if r := rs.of("fast")[i]; r.Outcome != OutcomeDelivered {
			t.Fatalf("fast message %d: %+v", i, r)
		}
	}
	if got, _, _ := fast.received(); len(got) != 10 {
		t.Errorf("fast receiver got %d messages, want 10", len(got))
	}
	if _, _, hits := hang.received(); hits != 2 {
		t.Errorf("hanging endpoint got %d concurrent requests, want Concurrency=2", hits)
	}
	if n := d.Pending("hang"); n != 5 {
		t.Errorf("Pending(hang) = %d, want 5 (2 running, 3 queued)", n)
	}
	if len(rs.of("hang")) != 0 {
		t.Fatalf("hanging endpoint has results already: %+v", rs.of("hang"))
	}

	// Closing with an expired context cancels the hanging attempts; every
	// accepted job still gets its result, as a retry.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close = %v, want context.Canceled", err)
	}
	hr := rs.of("hang")
	if len(hr) != 5 {
		t.Fatalf("hanging endpoint got %d results after Close, want 5", len(hr))
	}
	for _, r := range hr {
		if r.Outcome != OutcomeRetry || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("result after Close = %s %v, want a retry with context.Canceled", r.Outcome, r.Err)
		}
	}
	if err := d.Submit(Job{Endpoint: fastEP, Message: numbered(t, 99), Attempt: 1}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close = %v, want ErrClosed", err)
	}
}

// TestDispatcherCloseDrains: Close without a deadline delivers everything
// accepted, and the lanes go away with their workers.
func TestDispatcherCloseDrains(t *testing.T) {
	deliverer := newTestDeliverer(t, Config{AllowPrivate: true})
	var rs results
	d := newTestDispatcher(t, deliverer, DispatcherConfig{}, &rs)
	var recvs []*receiver
	for e := range 3 {
		rc := newReceiver(t, nil)
		recvs = append(recvs, rc)
		for i := range 20 {
			if err := d.Submit(Job{Endpoint: rc.endpoint(fmt.Sprint("ep", e)), Message: numbered(t, i), Attempt: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for e, rc := range recvs {
		id := fmt.Sprint("ep", e)
		got, bad, _ := rc.received()
		if len(got) != 20 || len(bad) != 0 {
			t.Errorf("%s received %d (rejected %v), want 20", id, len(got), bad)
		}
		for _, r := range rs.of(id) {
			if r.Outcome != OutcomeDelivered {
				t.Errorf("%s: %+v", id, r)
			}
		}
		if n := d.Pending(id); n != 0 {
			t.Errorf("Pending(%s) = %d after Close", id, n)
		}
	}
	lanes := d.Lanes()
	if lanes != 0 {
		t.Errorf("%d lanes left after every job finished", lanes)
	}
}

func TestDispatcherConfig(t *testing.T) {
	tests := []struct {
		name   string
		cfg    DispatcherConfig
		errHas string
	}{
		{"zero takes defaults", DispatcherConfig{}, ""},
		{"negative concurrency", DispatcherConfig{Concurrency: -1}, "concurrency"},
		{"negative queue", DispatcherConfig{QueueLen: -1}, "queue_len"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.WithDefaults().Validate()
			if (err == nil) != (tt.errHas == "") || (err != nil && !contains(err.Error(), tt.errHas)) {
				t.Fatalf("Validate = %v, want %q", err, tt.errHas)
			}
		})
	}
	if _, err := NewDispatcher(nil, DispatcherConfig{}, func(Job, Result) {}); err == nil {
		t.Error("NewDispatcher without a sender succeeded")
	}
}

func TestDelivererConfig(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		errHas string
	}{
		{"zero takes defaults", func(*Config) {}, ""},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "timeout"},
		{"negative idle conns", func(c *Config) { c.MaxIdleConnsPerHost = -1 }, "max_idle_conns_per_host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			tt.mutate(&c)
			err := c.WithDefaults().Validate()
			if (err == nil) != (tt.errHas == "") || (err != nil && !contains(err.Error(), tt.errHas)) {
				t.Fatalf("Validate = %v, want %q", err, tt.errHas)
			}
		})
	}
	c := Config{}.WithDefaults()
	if c.Timeout != DefaultTimeout || c.Resolve == nil || c.UserAgent != DefaultUserAgent {
		t.Errorf("defaults not applied: %+v", c)
	}
}

// numbered returns the click message of a click with a distinct event id.
func numbered(t testing.TB, i int) Message {
	t.Helper()
	c := testClick()
	c.EventID = fmt.Sprintf("0193a6f2-7c1e-7b3a-9f00-%012d", i)
	msg, err := ClickMessage(c, "https://go.brand.com/spring")
	if err != nil {
		t.Fatal(err)
	}
	return msg
}
