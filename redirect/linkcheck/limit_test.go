package linkcheck

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// concurrencyServer counts requests in flight. Until two requests have
// been in flight at once, each waits up to hold for a second one: a
// checker that would send two at once is caught, and one that never does
// just takes hold per request.
type concurrencyServer struct {
	*httptest.Server
	mu       sync.Mutex
	inFlight int
	max      int
	total    int
}

func newConcurrencyServer(t *testing.T, hold time.Duration) *concurrencyServer {
	s := &concurrencyServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.inFlight++
		s.total++
		s.max = max(s.max, s.inFlight)
		deadline := time.Now().Add(hold)
		for s.max < 2 && time.Now().Before(deadline) {
			s.mu.Unlock()
			time.Sleep(time.Millisecond)
			s.mu.Lock()
		}
		s.inFlight--
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *concurrencyServer) stats() (maxInFlight, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.max, s.total
}

func (s *concurrencyServer) port() string { return s.URL[strings.LastIndex(s.URL, ":"):] }

func TestOneRequestInFlightPerHost(t *testing.T) {
	srv := newConcurrencyServer(t, 100*time.Millisecond)
	f := newFixture(t, func(c *Config) { c.Workers = 6 })
	for i := range 6 {
		f.link(fmt.Sprint("p", i), fmt.Sprintf("http://shop.test%s/item/%d", srv.port(), i))
	}
	f.round()
	if m, n := srv.stats(); m != 1 || n != 6 {
		t.Fatalf("one host: most in flight %d over %d requests, want 1 over 6", m, n)
	}
}

func TestHostsAreCheckedConcurrently(t *testing.T) {
	// The control for the test above: distinct hosts do overlap, so a
	// maximum of 1 there is the per-host limit, not an accident.
	srv := newConcurrencyServer(t, 30*time.Second)
	f := newFixture(t, func(c *Config) { c.Workers = 6 })
	for i := range 6 {
		f.link(fmt.Sprint("p", i), fmt.Sprintf("http://h%d.test%s/", i, srv.port()))
	}
	f.round()
	if m, _ := srv.stats(); m < 2 {
		t.Fatalf("distinct hosts: most in flight %d, want at least 2", m)
	}
}

func TestRateLimitSpacesRequests(t *testing.T) {
	srv := newConcurrencyServer(t, 0)
	const rate, n = 20.0, 6
	f := newFixture(t, func(c *Config) { c.RatePerSecond = rate; c.Workers = n })
	for i := range n {
		f.link(fmt.Sprint("p", i), fmt.Sprintf("http://h%d.test%s/", i, srv.port()))
	}
	start := time.Now()
	f.round()
	took := time.Since(start)
	// A lower bound only: n evenly spaced requests span at least (n-1)/rate
	// however slow the machine is.
	if minimum := time.Duration(float64(n-1) / rate * float64(time.Second)); took < minimum {
		t.Fatalf("%d requests at %v/s took %v, less than %v", n, rate, took, minimum)
	}
	if _, total := srv.stats(); total != n {
		t.Fatalf("requests = %d, want %d", total, n)
	}
}

func TestBackoffSchedule(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want time.Duration
	}{
		{"first failure", 1, time.Minute},
		{"second", 2, 2 * time.Minute},
		{"third", 3, 4 * time.Minute},
		{"capped", 10, 30 * time.Minute},
		{"far past the cap", 1000, 30 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := backoff(tc.n, time.Minute, 30*time.Minute); got != tc.want {
				t.Fatalf("backoff(%d) = %v, want %v", tc.n, got, tc.want)
			}
		})
	}
}
