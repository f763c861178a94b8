package linkcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/cockroachdb/pebble/v2"
)

// DestinationState is what the checker knows of one destination URL.
type DestinationState struct {
	URL       string    `json:"url"`
	LastCheck time.Time `json:"last_check"`
	NextDue   time.Time `json:"next_due"`
	// ConsecutiveFailures counts failed checks in a row; a success resets
	// it. Blocked checks leave it as it was.
	ConsecutiveFailures int `json:"consecutive_failures"`
	// Broken is set once ConsecutiveFailures reached Config.ConfirmFailures
	// and cleared by a success.
	Broken bool `json:"broken"`
	// FailingSince is the first failed check of the current run of
	// failures (zero when the last check worked).
	FailingSince time.Time `json:"failing_since,omitzero"`
	Status       int       `json:"status,omitempty"` // last HTTP status, 0 when none
	Error        string    `json:"error,omitempty"`  // last failure, "" after a success
	// Blocked is set when the last check was refused by the address guard.
	Blocked bool `json:"blocked,omitempty"`
}

// healthy reports whether the last check worked.
func (s *DestinationState) healthy() bool {
	return !s.LastCheck.IsZero() && !s.Blocked && s.ConsecutiveFailures == 0
}

// record folds the outcome of a check at now into s and schedules the next.
func (s *DestinationState) record(o outcome, now time.Time, cfg *Config) {
	s.LastCheck = now
	s.Status = o.status
	s.Blocked = o.blocked()
	switch {
	case o.blocked():
		s.Error = o.errorText()
		s.NextDue = now.Add(cfg.Interval)
	case o.failed():
		if s.ConsecutiveFailures == 0 {
			s.FailingSince = now
		}
		s.ConsecutiveFailures++
		s.Broken = s.ConsecutiveFailures >= cfg.ConfirmFailures
		s.Error = o.errorText()
		s.NextDue = now.Add(backoff(s.ConsecutiveFailures, cfg.BackoffBase, cfg.BackoffMax))
	default:
		s.ConsecutiveFailures, s.Broken, s.FailingSince, s.Error = 0, false, time.Time{}, ""
		s.NextDue = now.Add(cfg.Interval)
	}
}

// backoff is the wait after the n-th consecutive failure (n >= 1): base,
// then doubling, capped at max.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// linkAlerts are the destinations a link was told are broken, by
// destination key.
type linkAlerts map[string]alert

type alert struct {
	URL   string    `json:"url"`
	Field string    `json:"field"`
	Since time.Time `json:"since"` // Event.Timestamp of the broken event
}

// Key layout of the state store.
const (
	destPrefix = "d/" // d/<hex of the first 16 bytes of SHA-256(url)> -> DestinationState
	linkPrefix = "l/" // l/<link id> -> linkAlerts
	// stateFormat starts every value, so the encoding can change.
	stateFormat byte = 1
)

// destKey is the key of a destination URL's state.
func destKey(rawURL string) string {
	h := sha256.Sum256([]byte(rawURL))
	return hex.EncodeToString(h[:16])
}

func encodeState(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{stateFormat}, b...), nil
}

func decodeState(b []byte, v any) error {
	if len(b) == 0 || b[0] != stateFormat {
		return errors.New("unknown state format")
	}
	return json.Unmarshal(b[1:], v)
}

// stateStore is the checker's pebble database.
type stateStore struct{ db *pebble.DB }

// get decodes the value at key into v; it reports false when absent.
func (s stateStore) get(key string, v any) (bool, error) {
	found, err := pebblekv.Get(s.db, []byte(key), func(b []byte) error { return decodeState(b, v) })
	switch {
	case err != nil && found:
		return false, fmt.Errorf("decode %s: %w", key, err)
	case err != nil:
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	return found, nil
}

func (s stateStore) destination(rawURL string) (DestinationState, bool, error) {
	var st DestinationState
	ok, err := s.get(destPrefix+destKey(rawURL), &st)
	if ok && st.URL != rawURL { // a 128-bit collision, or a corrupt record: start over
		return DestinationState{}, false, nil
	}
	return st, ok, err
}

// putDestination stores st without syncing: losing it in a crash only
// means the destination is checked again.
func (s stateStore) putDestination(st *DestinationState) error {
	b, err := encodeState(st)
	if err != nil {
		return fmt.Errorf("encode state of %s: %w", st.URL, err)
	}
	if err := s.db.Set([]byte(destPrefix+destKey(st.URL)), b, pebble.NoSync); err != nil {
		return fmt.Errorf("write state of %s: %w", st.URL, err)
	}
	return nil
}

func (s stateStore) alerts(linkID string) (linkAlerts, error) {
	a := linkAlerts{}
	if _, err := s.get(linkPrefix+linkID, &a); err != nil {
		return nil, err
	}
	return a, nil
}

// putAlerts stores (or, when empty, deletes) a link's alerts, synced: an
// alert that was emitted must survive a crash, or it would be repeated.
func (s stateStore) putAlerts(linkID string, a linkAlerts) error {
	key := []byte(linkPrefix + linkID)
	if len(a) == 0 {
		if err := s.db.Delete(key, pebble.Sync); err != nil {
			return fmt.Errorf("delete alerts of %s: %w", linkID, err)
		}
		return nil
	}
	b, err := encodeState(a)
	if err != nil {
		return fmt.Errorf("encode alerts of %s: %w", linkID, err)
	}
	if err := s.db.Set(key, b, pebble.Sync); err != nil {
		return fmt.Errorf("write alerts of %s: %w", linkID, err)
	}
	return nil
}
