package linkapi

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Defaults of RateLimitConfig.
const (
	DefaultRateLimitBurst     = 200
	DefaultRateLimitPerSecond = 50
	// minRatePerSecond and maxBurst keep the refill times the limiter
	// computes (and sends in headers) far from overflowing a time.Duration.
	minRatePerSecond = 0.001
	maxBurst         = 1_000_000
)

// RateLimitConfig limits the link API per API key with a token bucket: a key
// may send Burst requests at once and PerSecond on average. The zero value
// is DefaultRateLimitBurst and DefaultRateLimitPerSecond.
type RateLimitConfig struct {
	// Burst is the bucket size; 0 means DefaultRateLimitBurst.
	Burst int
	// PerSecond is the refill rate; 0 means DefaultRateLimitPerSecond and a
	// negative value disables rate limiting.
	PerSecond float64
	// Now is the limiter's clock; nil means time.Now.
	Now func() time.Time
}

// Validate names the bad field with prefix (for example "RateLimit").
func (c *RateLimitConfig) Validate(prefix string) error {
	var errs []error
	if c.Burst < 0 || c.Burst > maxBurst {
		errs = append(errs, fmt.Errorf("%s.Burst: want 0 (default) to %d, got %d", prefix, maxBurst, c.Burst))
	}
	if math.IsNaN(c.PerSecond) || math.IsInf(c.PerSecond, 0) || c.PerSecond > 0 && c.PerSecond < minRatePerSecond {
		errs = append(errs, fmt.Errorf("%s.PerSecond: want a negative number (off), 0 (default) or at least %g, got %v", prefix, minRatePerSecond, c.PerSecond))
	}
	return errors.Join(errs...)
}

// rateLimiter holds one token bucket per API key, keyed by the key's
// SHA-256 so that no key is kept in memory longer than a request.
//
// Memory: only authenticated requests reach the limiter, so there is at most
// one bucket per configured key. Buckets are still swept when idle: a bucket
// that has refilled to Burst is the same as a new one, so dropping it loses
// nothing, and a long-running process whose keys rotate keeps no garbage.
// The sweep runs on the request path at most once per refill period, instead
// of on a timer goroutine that would need stopping.
type rateLimiter struct {
	burst float64
	rate  float64 // tokens per second
	now   func() time.Time
	// fill is how long an empty bucket takes to refill, at most an hour:
	// the sweep interval.
	fill time.Duration

	mu        sync.Mutex
	buckets   map[[sha256.Size]byte]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// newRateLimiter returns nil when c disables rate limiting. c must be valid.
func newRateLimiter(c RateLimitConfig) *rateLimiter {
	if c.PerSecond < 0 {
		return nil
	}
	if c.Burst == 0 {
		c.Burst = DefaultRateLimitBurst
	}
	if c.PerSecond == 0 {
		c.PerSecond = DefaultRateLimitPerSecond
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &rateLimiter{
		burst:   float64(c.Burst),
		rate:    c.PerSecond,
		now:     c.Now,
		fill:    time.Duration(min(float64(c.Burst)/c.PerSecond, 3600) * float64(time.Second)),
		buckets: make(map[[sha256.Size]byte]*bucket),
	}
}

// decision is the limiter's answer for one request.
type decision struct {
	allowed    bool
	remaining  int           // whole tokens left after this request
	reset      time.Duration // until the bucket is full again
	retryAfter time.Duration // until one token is available; 0 when allowed
}

// take spends one token of key's bucket if it has one.
func (l *rateLimiter) take(key [sha256.Size]byte) decision {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.fill {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	d := decision{allowed: b.tokens >= 1}
	if d.allowed {
		b.tokens--
	} else {
		d.retryAfter = l.after(1 - b.tokens)
	}
	d.remaining = int(b.tokens)
	d.reset = l.after(l.burst - b.tokens)
	return d
}

func (l *rateLimiter) refill(b *bucket, now time.Time) {
	if dt := now.Sub(b.at); dt > 0 { // a clock that steps back refills nothing
		b.tokens = min(l.burst, b.tokens+dt.Seconds()*l.rate)
		b.at = now
	}
}

// after is how long the bucket takes to gain tokens.
func (l *rateLimiter) after(tokens float64) time.Duration {
	return time.Duration(tokens / l.rate * float64(time.Second))
}

// sweep drops the buckets that have refilled to full.
func (l *rateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// admit takes a token for key and writes the RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset headers (IETF draft "RateLimit
// header fields for HTTP"; Limit is the burst, Reset the whole seconds until
// the bucket is full). Over the limit it answers 429 with Retry-After and
// returns false.
func (l *rateLimiter) admit(w http.ResponseWriter, key [sha256.Size]byte) bool {
	d := l.take(key)
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(int(l.burst)))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(ceilSeconds(d.reset)))
	if d.allowed {
		return true
	}
	retry := max(1, ceilSeconds(d.retryAfter))
	h.Set("Retry-After", strconv.Itoa(retry))
	WriteError(w, &APIError{status: http.StatusTooManyRequests, Code: CodeRateLimited,
		Message: fmt.Sprintf("rate limit of %d requests at once and %g per second exceeded; retry in %d s", int(l.burst), l.rate, retry)})
	return false
}

func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}
