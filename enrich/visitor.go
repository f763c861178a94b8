package enrich

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

const saltLabel = "clicktrail/visitor-salt/"

// saltDays caches the day salts of the current and previous UTC day. Clicks
// of other days (late replays, skewed clocks) derive their salt per call.
//
// The cache is a copy-on-write snapshot behind an atomic pointer: the hot
// path is one atomic load and a comparison; at midnight one goroutine builds
// the next snapshot, and a racing goroutine doing the same work is harmless
// because derivation is deterministic.
type saltDays struct {
	secret []byte
	now    func() time.Time
	cur    atomic.Pointer[saltPair]
}

// saltPair holds the hashers of two consecutive days: today and today-1.
type saltPair struct {
	today, yesterday *daySalt
}

// daySalt is the salt of one UTC day with a pool of HMAC states keyed by it,
// so that hashing a click allocates nothing.
type daySalt struct {
	day  int64 // days since the Unix epoch, UTC
	pool sync.Pool
}

// hasher is one pooled HMAC state with its scratch buffers.
type hasher struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

func newSaltDays(secret []byte, now func() time.Time) *saltDays {
	s := &saltDays{secret: secret, now: now}
	s.rotate(unixDay(now()))
	return s
}

// unixDay returns the number of whole UTC days between the Unix epoch and t.
func unixDay(t time.Time) int64 {
	sec := t.Unix()
	d := sec / 86400
	if sec%86400 < 0 {
		d-- // floor for times before 1970
	}
	return d
}

// deriveSalt returns HMAC-SHA256(secret, saltLabel + YYYY-MM-DD of day).
func deriveSalt(secret []byte, day int64) []byte {
	mac := hmac.New(sha256.New, secret)
	var b [len(saltLabel) + 16]byte
	msg := append(b[:0], saltLabel...)
	msg = time.Unix(day*86400, 0).UTC().AppendFormat(msg, time.DateOnly)
	mac.Write(msg)
	return mac.Sum(nil)
}

func newDaySalt(secret []byte, day int64) *daySalt {
	salt := deriveSalt(secret, day)
	d := &daySalt{day: day}
	d.pool.New = func() any {
		return &hasher{mac: hmac.New(sha256.New, salt), buf: make([]byte, 0, 256)}
	}
	return d
}

func (s *saltDays) rotate(today int64) *saltPair {
	p := &saltPair{today: newDaySalt(s.secret, today)}
	if old := s.cur.Load(); old != nil && old.today.day == today-1 {
		p.yesterday = old.today
	} else {
		p.yesterday = newDaySalt(s.secret, today-1)
	}
	s.cur.Store(p)
	return p
}

// forDay returns the salt of day, from the cache when day is today or
// yesterday according to s.now.
func (s *saltDays) forDay(day int64) *daySalt {
	p := s.cur.Load()
	if d := p.lookup(day); d != nil {
		return d
	}
	if today := unixDay(s.now()); today != p.today.day {
		if d := s.rotate(today).lookup(day); d != nil {
			return d
		}
	}
	return newDaySalt(s.secret, day)
}

func (p *saltPair) lookup(day int64) *daySalt {
	switch day {
	case p.today.day:
		return p.today
	case p.yesterday.day:
		return p.yesterday
	}
	return nil
}

// visitorHash returns the keyed visitor hash of (ip, userAgent, domain) on
// the UTC day of t. ip must already be unmapped and zoneless.
func (s *saltDays) visitorHash(t time.Time, ip netip.Addr, userAgent, domain string) uint64 {
	d := s.forDay(unixDay(t))
	h := d.pool.Get().(*hasher)
	defer d.pool.Put(h)

	b := h.buf[:0]
	if ip.Is4() {
		a := ip.As4()
		b = append(b, a[:]...)
	} else {
		a := ip.As16()
		b = append(b, a[:]...)
	}
	b = append(b, 0)
	b = append(b, userAgent...)
	b = append(b, 0)
	b = append(b, domain...)
	if cap(b) <= 4096 {
		h.buf = b // keep the grown buffer, but not a huge one
	}

	h.mac.Reset()
	h.mac.Write(b)
	sum := h.mac.Sum(h.sum[:0])
	return binary.BigEndian.Uint64(sum[:8])
}
