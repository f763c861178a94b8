package linkapi

import (
	"crypto/sha256"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/redirect"
)

func newLimitedFixture(t *testing.T, rl RateLimitConfig) *apiFixture {
	return newConfiguredAPI(t, func(c *APIConfig) { c.RateLimit = rl })
}

// newConfiguredAPI is an API over a fresh store, with keys testKey and
// otherKey, configured further by mutate.
func newConfiguredAPI(t *testing.T, mutate func(*APIConfig)) *apiFixture {
	t.Helper()
	s, _ := openTestStore(t, redirect.StoreOptions{})
	f := &apiFixture{store: s}
	cfg := APIConfig{Store: s, APIKeys: []string{testKey, otherKey}, DefaultDomain: testDomain,
		OnLinkEvent: func(_ string, l *redirect.Link) { f.mu.Lock(); f.changed = append(f.changed, l); f.mu.Unlock() }}
	mutate(&cfg)
	h, err := NewAPI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.handler = h
	return f
}

const otherKey = "another-key-0123456789"

func headerInt(t *testing.T, h http.Header, name string) int {
	t.Helper()
	n, err := strconv.Atoi(h.Get(name))
	if err != nil {
		t.Fatalf("%s = %q: %v", name, h.Get(name), err)
	}
	return n
}

func TestAPIRateLimit(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	f := newLimitedFixture(t, RateLimitConfig{Burst: 3, PerSecond: 0.5, Now: clock.Now})
	get := func(key string) *http.Response {
		rec, _ := f.do(t, "GET", "/v1/links/"+redirect.NewLinkID(), "", key)
		return rec.Result()
	}
	for i := range 3 {
		r := get(testKey)
		if r.StatusCode != http.StatusNotFound {
			t.Fatalf("request %d: status %d, want 404 (within the burst)", i, r.StatusCode)
		}
		if l, rem := headerInt(t, r.Header, "RateLimit-Limit"), headerInt(t, r.Header, "RateLimit-Remaining"); l != 3 || rem != 2-i {
			t.Errorf("request %d: RateLimit-Limit %d Remaining %d, want 3 and %d", i, l, rem, 2-i)
		}
	}
	r := get(testKey)
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the burst: status %d, want 429", r.StatusCode)
	}
	rec, eb := f.do(t, "POST", "/v1/links", `{"destination_url":"https://example.org/"}`, testKey)
	if rec.Code != http.StatusTooManyRequests || eb.Error.Code != CodeRateLimited {
		t.Fatalf("over the burst: %d %s, want 429 rate_limited", rec.Code, rec.Body)
	}
	if got := headerInt(t, r.Header, "Retry-After"); got != 2 { // one token at 0.5/s
		t.Errorf("Retry-After = %d, want 2", got)
	}
	if rem, reset := headerInt(t, r.Header, "RateLimit-Remaining"), headerInt(t, r.Header, "RateLimit-Reset"); rem != 0 || reset != 6 {
		t.Errorf("429: RateLimit-Remaining %d Reset %d, want 0 and 6", rem, reset)
	}

	if r := get(otherKey); r.StatusCode != http.StatusNotFound || r.Header.Get("RateLimit-Remaining") != "2" {
		t.Errorf("another key: %d remaining %q, want its own full bucket", r.StatusCode, r.Header.Get("RateLimit-Remaining"))
	}
	if rec, _ := f.do(t, "GET", "/v1/links/x", "", ""); rec.Code != http.StatusUnauthorized || rec.Header().Get("RateLimit-Limit") != "" {
		t.Errorf("no key: %d with RateLimit-Limit %q, want 401 before the limiter", rec.Code, rec.Header().Get("RateLimit-Limit"))
	}

	clock.Advance(1500 * time.Millisecond) // 0.75 of a token (binary fractions keep this exact)
	if r := get(testKey); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("before a whole token: %d, want 429", r.StatusCode)
	}
	clock.Advance(500 * time.Millisecond)
	if r := get(testKey); r.StatusCode != http.StatusNotFound {
		t.Errorf("after refilling one token: %d, want 404", r.StatusCode)
	}
	clock.Advance(time.Hour)
	for i := range 3 {
		if r := get(testKey); r.StatusCode != http.StatusNotFound {
			t.Fatalf("after a full refill, request %d: %d", i, r.StatusCode)
		}
	}
	if r := get(testKey); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the refill exceeded the burst: %d", r.StatusCode)
	}
}

func TestAPIRateLimitDisabled(t *testing.T) {
	f := newLimitedFixture(t, RateLimitConfig{Burst: 1, PerSecond: -1})
	for i := range 5 {
		rec, _ := f.do(t, "GET", "/v1/links/"+redirect.NewLinkID(), "", testKey)
		if rec.Code != http.StatusNotFound || rec.Header().Get("RateLimit-Limit") != "" {
			t.Fatalf("request %d: %d, RateLimit-Limit %q; want 404 and no limit", i, rec.Code, rec.Header().Get("RateLimit-Limit"))
		}
	}
}

func TestAPIOpenAPIIsNotLimited(t *testing.T) {
	f := newLimitedFixture(t, RateLimitConfig{Burst: 1, PerSecond: 1, Now: new(testutil.Clock).Now})
	for i := range 3 {
		rec, _ := f.do(t, "GET", openAPIPath, "", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
}

func TestRateLimiterEvictsFullBuckets(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	l := newRateLimiter(RateLimitConfig{Burst: 10, PerSecond: 10, Now: clock.Now})
	for i := range 100 {
		l.take(sha256.Sum256([]byte{byte(i)}))
	}
	if n := len(l.buckets); n != 100 {
		t.Fatalf("%d buckets, want 100", n)
	}
	clock.Advance(time.Second) // every bucket is full again
	l.take(sha256.Sum256([]byte("new")))
	if n := len(l.buckets); n != 1 {
		t.Errorf("%d buckets after the idle ones refilled, want 1", n)
	}
}

func TestRateLimitConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name, wantErr string
		c             RateLimitConfig
	}{
		{"zero", "", RateLimitConfig{}},
		{"disabled", "", RateLimitConfig{PerSecond: -1}},
		{"negative burst", "R.Burst", RateLimitConfig{Burst: -1}},
		{"huge burst", "R.Burst", RateLimitConfig{Burst: 1 << 40}},
		{"NaN rate", "R.PerSecond", RateLimitConfig{PerSecond: math.NaN()}},
		{"infinite rate", "R.PerSecond", RateLimitConfig{PerSecond: math.Inf(1)}},
		{"rate too small", "R.PerSecond", RateLimitConfig{PerSecond: 1e-9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate("R")
			if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate = %v, want error naming %q", err, tc.wantErr)
			}
		})
	}
}

func BenchmarkRateLimiterTake(b *testing.B) {
	l := newRateLimiter(RateLimitConfig{Burst: 1 << 30, PerSecond: 1e9})
	keys := [][sha256.Size]byte{sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			l.take(keys[i&1])
			i++
		}
	})
}

func TestAPIConfigValidateNamesNestedKeys(t *testing.T) {
	s, _ := openTestStore(t, redirect.StoreOptions{})
	_, err := NewAPI(APIConfig{Store: s, APIKeys: []string{testKey}, DefaultDomain: testDomain,
		RateLimit: RateLimitConfig{Burst: -1}, Destinations: DestinationPolicy{DenyHosts: []string{"http://x/"}}})
	for _, key := range []string{"RateLimit.Burst", "Destinations.DenyHosts[0]"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("NewAPI = %v, want an error naming %s", err, key)
		}
	}
}
