package redirect

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Idempotency of the link API's mutating calls.
//
// A request with an "Idempotency-Key" header (1 to MaxIdempotencyKeyLen
// printable ASCII characters) is answered once: its answer (status,
// Location and body; not 5xx answers, which may be retried) is stored in
// the link store for IdempotencyTTL under a hash of the API key and the
// idempotency key, with a fingerprint of the request (method, path, body).
// A later request with the same key and fingerprint gets the stored answer
// again, with "Idempotent-Replayed: true"; with another fingerprint it gets
// 422 idempotency_key_reused. While the first request runs, a second one
// with the same key gets 409 idempotency_key_in_use at once rather than
// waiting (waiting would hold a connection for as long as the first takes,
// and a client retrying with backoff gets the replay soon after). The
// in-flight set is per process: run one API process per link store.
//
// The answer is stored after the change it describes is durable: a crash
// in between loses the answer, and a retry then runs again (a create with
// an explicit path answers 409 path_taken; one with a generated path
// creates a second link).

// IdempotencyTTL is how long an answer is replayed.
const IdempotencyTTL = 24 * time.Hour

// MaxIdempotencyKeyLen is the longest Idempotency-Key accepted.
const MaxIdempotencyKeyLen = 255

// Key layout: "k/<32-byte key hash>" holds an idempotencyRecord;
// "kx/<8-byte big-endian expiry, unix ns><key hash>" is empty and orders
// records by expiry for sweepIdempotency.
const (
	idemPrefix       = "k/"
	idemExpiryPrefix = "kx/"
	// sweepBatch bounds the expired records one sweep deletes, and
	// sweepEvery how often a sweep runs (after storing an answer).
	sweepBatch = 1000
	sweepEvery = time.Minute
)

type idempotencyRecord struct {
	Fingerprint []byte    `json:"fp"`
	Status      int       `json:"status"`
	Location    string    `json:"location,omitempty"`
	Body        []byte    `json:"body"`
	Expires     time.Time `json:"expires"`
}

func idemKey(h [sha256.Size]byte) []byte { return append([]byte(idemPrefix), h[:]...) }

func idemExpiryKey(expires time.Time, h [sha256.Size]byte) []byte {
	k := binary.BigEndian.AppendUint64([]byte(idemExpiryPrefix), uint64(expires.UnixNano()))
	return append(k, h[:]...)
}

// idempotency holds the in-flight keys and the sweep clock of one API.
type idempotency struct {
	mu        sync.Mutex
	inFlight  map[[sha256.Size]byte]struct{}
	lastSweep time.Time
}

// validIdempotencyKey reports whether k is 1 to MaxIdempotencyKeyLen
// printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > MaxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotent wraps a mutating handler with the Idempotency-Key protocol.
// It runs after authentication.
func (a *api) idempotent(next http.Handler, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ikey, ok := r.Header["Idempotency-Key"]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if len(ikey) != 1 || !validIdempotencyKey(ikey[0]) {
			writeError(w, badRequest(CodeInvalidField, "Idempotency-Key",
				fmt.Sprintf("send one header of 1 to %d printable ASCII characters", MaxIdempotencyKeyLen)))
			return
		}
		body, aerr := readBodyLimit(w, r, maxBody)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		apiKey, _ := BearerToken(r)
		kh := sha256.Sum256([]byte(apiKey + "\x00" + ikey[0]))
		fp := sha256.Sum256(bytes.Join([][]byte{[]byte(r.Method), []byte(r.URL.EscapedPath()), body}, []byte{0}))

		if !a.idem.claim(kh) {
			writeError(w, &apiError{status: http.StatusConflict, Code: CodeIdempotencyKeyInUse,
				Message: "a request with this Idempotency-Key is still running; retry after it has answered"})
			return
		}
		defer a.idem.release(kh)
		now := a.cfg.Now()
		rec, err := a.cfg.Store.idempotencyRecord(kh, now)
		if err != nil {
			a.internalError(w, "read idempotency record", err)
			return
		}
		if rec != nil {
			if !bytes.Equal(rec.Fingerprint, fp[:]) {
				writeError(w, &apiError{status: http.StatusUnprocessableEntity, Code: CodeIdempotencyKeyReused,
					Field: "Idempotency-Key", Message: "this key was first used with another method, path or body"})
				return
			}
			if rec.Location != "" {
				w.Header().Set("Location", rec.Location)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(rec.Status)
			w.Write(rec.Body)
			return
		}

		r.Body = io.NopCloser(bytes.NewReader(body))
		cw := &capturingWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		if cw.status == 0 || cw.status >= 500 {
			return
		}
		rec = &idempotencyRecord{Fingerprint: fp[:], Status: cw.status, Location: w.Header().Get("Location"),
			Body: cw.body.Bytes(), Expires: now.Add(IdempotencyTTL)}
		if err := a.cfg.Store.putIdempotencyRecord(kh, rec); err != nil {
			// The answer is already sent; a retry will run the request again.
			a.log.Error("link api: store idempotency record", "err", err)
			return
		}
		if a.idem.sweepDue(now) {
			if n, err := a.cfg.Store.sweepIdempotency(now, sweepBatch, &a.idem); err != nil {
				a.log.Error("link api: sweep idempotency records", "err", err)
			} else if n > 0 {
				a.log.Debug("link api: swept idempotency records", "deleted", n)
			}
		}
	})
}

func (i *idempotency) claim(kh [sha256.Size]byte) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if _, busy := i.inFlight[kh]; busy {
		return false
	}
	if i.inFlight == nil {
		i.inFlight = map[[sha256.Size]byte]struct{}{}
	}
	i.inFlight[kh] = struct{}{}
	return true
}

func (i *idempotency) release(kh [sha256.Size]byte) {
	i.mu.Lock()
	delete(i.inFlight, kh)
	i.mu.Unlock()
}

func (i *idempotency) sweepDue(now time.Time) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if now.Sub(i.lastSweep) < sweepEvery {
		return false
	}
	i.lastSweep = now
	return true
}

// capturingWriter passes an answer through and keeps its status and body.
type capturingWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capturingWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *capturingWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// idempotencyRecord returns the unexpired record of key hash kh, or nil.
func (s *Store) idempotencyRecord(kh [sha256.Size]byte, now time.Time) (*idempotencyRecord, error) {
	v, err := s.read(idemKey(kh))
	if err != nil || v == nil {
		return nil, err
	}
	var rec idempotencyRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("decode idempotency record: %w", err)
	}
	if !now.Before(rec.Expires) {
		return nil, nil // expired: the key is free again; the sweep deletes it
	}
	return &rec, nil
}

// putIdempotencyRecord stores rec durably, replacing any expired record of
// the same key.
func (s *Store) putIdempotencyRecord(kh [sha256.Size]byte, rec *idempotencyRecord) error {
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

// sweepIdempotency deletes up to max records that expired before now and
// reports how many it deleted. A record replaced since (same key, later
// expiry) keeps its newer value: only its stale expiry entry goes. Keys in
// flight are skipped, and the keys swept are claimed until the deletes
// commit, so a sweep never deletes an answer stored meanwhile.
func (s *Store) sweepIdempotency(now time.Time, max int, idem *idempotency) (int, error) {
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
		var kh [sha256.Size]byte
		copy(kh[:], k[len(idemExpiryPrefix)+8:])
		if !idem.claim(kh) {
			continue
		}
		defer idem.release(kh)
		rec, err := s.idempotencyRecord(kh, now)
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
