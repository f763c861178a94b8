package enrich

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash/fnv"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
)

var testSecret = bytes.Repeat([]byte("k"), MinSecretLen)

// specHash computes the visitor hash straight from the formula in the
// package doc, independently of the cached implementation.
func specHash(secret []byte, t time.Time, ip netip.Addr, ua, domain string) uint64 {
	salt := hmac.New(sha256.New, secret)
	salt.Write([]byte("clicktrail/visitor-salt/" + t.UTC().Format("2006-01-02")))
	mac := hmac.New(sha256.New, salt.Sum(nil))
	mac.Write(ip.Unmap().AsSlice())
	mac.Write([]byte{0})
	mac.Write([]byte(ua))
	mac.Write([]byte{0})
	mac.Write([]byte(domain))
	return binary.BigEndian.Uint64(mac.Sum(nil))
}

func mustAddr(t testing.TB, s string) netip.Addr {
	t.Helper()
	a, err := parseIP(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestVisitorHashMatchesSpec(t *testing.T) {
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clock := testutil.NewClock(base)
	s := newSaltDays(testSecret, clock.Now)
	tests := []struct {
		name string
		ts   time.Time
		ip   string
	}{
		{"today ipv4", base, "203.0.113.77"},
		{"today ipv6", base, "2001:db8:1:2::5"},
		{"yesterday", base.Add(-24 * time.Hour), "203.0.113.77"},
		{"replay of last month", base.AddDate(0, -1, 0), "203.0.113.77"},
		{"clock skew: tomorrow", base.Add(24 * time.Hour), "203.0.113.77"},
		{"before 1970", time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), "203.0.113.77"},
		{"non-UTC zone uses the UTC date", time.Date(2026, 11, 24, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "203.0.113.77"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip := mustAddr(t, tt.ip)
			got := s.visitorHash(tt.ts, ip, "ua", "go.example.com")
			want := specHash(testSecret, tt.ts, ip, "ua", "go.example.com")
			if got != want {
				t.Errorf("hash = %d, want %d (spec)", got, want)
			}
		})
	}
}

func TestVisitorHashProperties(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := testutil.NewClock(day.Add(12 * time.Hour))
	s := newSaltDays(testSecret, clock.Now)
	other := newSaltDays(bytes.Repeat([]byte("x"), MinSecretLen), clock.Now)
	ip := mustAddr(t, "203.0.113.77")
	const ua, domain = "Mozilla/5.0", "go.example.com"
	h := s.visitorHash(day.Add(9*time.Hour), ip, ua, domain)

	equal := []struct {
		name string
		got  uint64
	}{
		{"same visitor later that day", s.visitorHash(day.Add(23*time.Hour+59*time.Minute), ip, ua, domain)},
		{"ipv4-mapped ipv6 of the same address", s.visitorHash(day, mustAddr(t, "::ffff:203.0.113.77"), ua, domain)},
	}
	for _, tt := range equal {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != h {
				t.Errorf("hash = %d, want %d", tt.got, h)
			}
		})
	}

	ipBytes := ip.AsSlice()
	sha := func(b []byte) uint64 { s := sha256.Sum256(b); return binary.BigEndian.Uint64(s[:8]) }
	fnv64 := func(b []byte) uint64 { f := fnv.New64(); f.Write(b); return f.Sum64() }
	fnv64a := func(b []byte) uint64 { f := fnv.New64a(); f.Write(b); return f.Sum64() }
	tuple := append(append(append(append(append([]byte{}, ipBytes...), 0), ua...), 0), domain...)
	different := []struct {
		name string
		got  uint64
	}{
		{"other secret", other.visitorHash(day, ip, ua, domain)},
		{"next day", s.visitorHash(day.Add(24*time.Hour), ip, ua, domain)},
		{"previous day", s.visitorHash(day.Add(-time.Second), ip, ua, domain)},
		{"other address in the same /24", s.visitorHash(day, mustAddr(t, "203.0.113.78"), ua, domain)},
		{"other user agent", s.visitorHash(day, ip, "curl/8", domain)},
		{"other domain", s.visitorHash(day, ip, ua, "go.other.com")},
		{"unkeyed sha256 of ip bytes", sha(ipBytes)},
		{"unkeyed sha256 of ip text", sha([]byte("203.0.113.77"))},
		{"unkeyed sha256 of the tuple", sha(tuple)},
		{"fnv64 of ip bytes", fnv64(ipBytes)},
		{"fnv64 of ip text", fnv64([]byte("203.0.113.77"))},
		{"fnv64a of ip bytes", fnv64a(ipBytes)},
		{"fnv64a of ip text", fnv64a([]byte("203.0.113.77"))},
	}
	for _, tt := range different {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got == h {
				t.Errorf("hash %d collides with %s", h, tt.name)
			}
		})
	}
}

func TestSaltCacheRotatesAtMidnight(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	clock := testutil.NewClock(day.Add(23 * time.Hour))
	s := newSaltDays(testSecret, clock.Now)
	first := s.cur.Load()
	if first.today.day != unixDay(day) || first.yesterday.day != unixDay(day)-1 {
		t.Fatalf("cache holds days %d and %d, want %d and %d", first.today.day, first.yesterday.day, unixDay(day), unixDay(day)-1)
	}

	clock.Advance(2 * time.Hour) // 01:00 the next day
	ip := mustAddr(t, "203.0.113.77")
	next := day.Add(25 * time.Hour)
	if got, want := s.visitorHash(next, ip, "ua", "d"), specHash(testSecret, next, ip, "ua", "d"); got != want {
		t.Errorf("after midnight: hash = %d, want %d", got, want)
	}
	second := s.cur.Load()
	if second.today.day != unixDay(day)+1 {
		t.Errorf("cache today = %d, want %d", second.today.day, unixDay(day)+1)
	}
	if second.yesterday != first.today {
		t.Error("rotation re-derived yesterday's salt instead of reusing it")
	}
	if got, want := s.visitorHash(day, ip, "ua", "d"), specHash(testSecret, day, ip, "ua", "d"); got != want {
		t.Errorf("late click of yesterday: hash = %d, want %d", got, want)
	}
	if s.cur.Load() != second {
		t.Error("a click of yesterday rotated the cache")
	}
}

func TestVisitorHashConcurrent(t *testing.T) {
	day := time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC)
	clock := testutil.NewClock(day)
	s := newSaltDays(testSecret, clock.Now)
	ip := mustAddr(t, "2001:db8::1")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if g == 0 && i == 100 {
					clock.Advance(2 * time.Minute) // cross midnight while others hash
				}
				ts := day.Add(time.Duration(i%3) * time.Minute)
				if got, want := s.visitorHash(ts, ip, "ua", "d"), specHash(testSecret, ts, ip, "ua", "d"); got != want {
					t.Errorf("goroutine %d click %d: hash = %d, want %d", g, i, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
