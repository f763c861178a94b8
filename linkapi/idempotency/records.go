package idempotency

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/cockroachdb/pebble/v2"
)

// TTL is how long an answer is replayed.
const TTL = 24 * time.Hour

// MaxKeyLen is the longest Idempotency-Key accepted.
const MaxKeyLen = 255

// Key layout: "k/<32-byte key hash>" holds a Record;
// "kx/<8-byte big-endian expiry, unix ns><key hash>" is empty and orders
// records by expiry for Sweep.
const (
	idemPrefix       = "k/"
	idemExpiryPrefix = "kx/"
	// SweepBatch bounds the expired records one sweep deletes, and
	// sweepEvery how often a sweep runs (after storing an answer).
	SweepBatch = 1000
	sweepEvery = time.Minute
)

// Record is the stored answer to a request with an Idempotency-Key.
type Record struct {
	Fingerprint []byte    `json:"fp"`
	Status      int       `json:"status"`
	Location    string    `json:"location,omitempty"`
	Body        []byte    `json:"body"`
	Expires     time.Time `json:"expires"`
}

func idemKey(h KeyHash) []byte { return append([]byte(idemPrefix), h[:]...) }

func idemExpiryKey(expires time.Time, h KeyHash) []byte {
	k := binary.BigEndian.AppendUint64([]byte(idemExpiryPrefix), uint64(expires.UnixNano()))
	return append(k, h[:]...)
}

// Store keeps the answers in the link store's pebble database, and the
// keys in flight and the sweep clock of one API process. Make one per API.
// It is safe for concurrent use.
type Store struct {
	db        *pebble.DB
	mu        sync.Mutex
	inFlight  map[KeyHash]struct{}
	lastSweep time.Time
}

// NewStore returns the idempotency records kept beside links.
func NewStore(links *redirect.Store) *Store { return &Store{db: links.DB()} }

// KeyHash is the hash of an API key and an Idempotency-Key that records
// are stored under.
type KeyHash = [sha256.Size]byte

// ValidKey reports whether k is 1 to MaxKeyLen printable ASCII
// characters.
func ValidKey(k string) bool {
	if k == "" || len(k) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// Claim marks kh in flight; false when it already is.
func (i *Store) Claim(kh KeyHash) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if _, busy := i.inFlight[kh]; busy {
		return false
	}
	if i.inFlight == nil {
		i.inFlight = map[KeyHash]struct{}{}
	}
	i.inFlight[kh] = struct{}{}
	return true
}

// Release ends Claim.
func (i *Store) Release(kh KeyHash) {
	i.mu.Lock()
	delete(i.inFlight, kh)
	i.mu.Unlock()
}

// SweepDue reports whether a sweep is due at now, and if so starts the
// clock again.
func (i *Store) SweepDue(now time.Time) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if now.Sub(i.lastSweep) < sweepEvery {
		return false
	}
	i.lastSweep = now
	return true
}

// Get returns the unexpired record of key hash kh, or nil.
func (s *Store) Get(kh KeyHash, now time.Time) (*Record, error) {
	var rec Record
	found, err := pebblekv.Get(s.db, idemKey(kh), func(v []byte) error {
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode idempotency record: %w", err)
		}
		return nil
	})
	if err != nil || !found {
		return nil, err
	}
	if !now.Before(rec.Expires) {
		return nil, nil // expired: the key is free again; the sweep deletes it
	}
	return &rec, nil
}

// Put stores rec durably, replacing any expired record of
// the same key.
func (s *Store) Put(kh KeyHash, rec *Record) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode idempotency record: %w", err)
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := errors.Join(b.Set(idemKey(kh), v, nil), b.Set(idemExpiryKey(rec.Expires, kh), nil, nil)); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("commit idempotency record: %w", err)
	}
	return nil
}

// Sweep deletes up to max records that expired before now and
// reports how many it deleted. A record replaced since (same key, later
// expiry) keeps its newer value: only its stale expiry entry goes. Keys in
// flight are skipped, and the keys swept are claimed until the deletes
// commit, so a sweep never deletes an answer stored meanwhile.
func (s *Store) Sweep(now time.Time, max int) (int, error) {
	upper := binary.BigEndian.AppendUint64([]byte(idemExpiryPrefix), uint64(now.UnixNano()))
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(idemExpiryPrefix), UpperBound: upper})
	if err != nil {
		return 0, fmt.Errorf("sweep idempotency records: %w", err)
	}
	defer it.Close()
	b := s.db.NewBatch()
	defer b.Close()
	n := 0
	for valid := it.First(); valid && n < max; valid = it.Next() {
		k := it.Key()
		if len(k) != len(idemExpiryPrefix)+8+sha256.Size {
			continue
		}
		var kh KeyHash
		copy(kh[:], k[len(idemExpiryPrefix)+8:])
		if !s.Claim(kh) {
			continue
		}
		defer s.Release(kh)
		rec, err := s.Get(kh, now)
		if err != nil {
			return 0, fmt.Errorf("sweep idempotency records: %w", err)
		}
		if rec == nil { // expired (or gone): delete the record
			if err := b.Delete(idemKey(kh), nil); err != nil {
				return 0, err
			}
		}
		if err := b.Delete(k, nil); err != nil {
			return 0, err
		}
		n++
	}
	if err := it.Error(); err != nil {
		return 0, fmt.Errorf("sweep idempotency records: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return 0, fmt.Errorf("sweep idempotency records: %w", err)
	}
	return n, nil
}
