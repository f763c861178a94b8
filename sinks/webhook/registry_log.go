package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/cockroachdb/pebble/v2"
)

// Delivery is one attempt in the delivery log.
type Delivery struct {
	EndpointID string `json:"endpoint_id"`
	MessageID  string `json:"message_id"`
	EventType  string `json:"event_type"`
	Attempt    int    `json:"attempt"`
	// Outcome is delivered, retry, disable or failed (Outcome.String).
	Outcome   string    `json:"outcome"`
	Status    int       `json:"status,omitempty"` // HTTP status, 0 without a response
	LatencyMS float64   `json:"latency_ms"`
	Response  string    `json:"response,omitempty"` // sanitized snippet
	Error     string    `json:"error,omitempty"`
	Time      time.Time `json:"time"`
}

// Failed reports whether the attempt did not deliver.
func (d Delivery) Failed() bool { return d.Outcome != OutcomeDelivered.String() }

// DeliveryQuery selects delivery log entries; zero fields select all.
type DeliveryQuery struct {
	EndpointID string
	// EndpointIDs, when not nil, keeps only these endpoints' entries (the
	// endpoints of one workspace).
	EndpointIDs []string
	// Status is "delivered", "failed" (every other outcome) or an
	// Outcome name.
	Status string
	Since  time.Time
	Limit  int // default and maximum 1000
	// NewestFirst reads each endpoint's entries from the newest (so that
	// Limit keeps the newest) and returns them all newest first, as the
	// API lists them; without it, oldest first per endpoint.
	NewestFirst bool
}

// MaxDeliveries bounds one Deliveries answer.
const MaxDeliveries = 1000

// Validate names the bad field.
func (q DeliveryQuery) Validate() error {
	switch q.Status {
	case "", "delivered", "failed", "retry", "disable":
	default:
		return fmt.Errorf("status: want delivered, failed, retry or disable, got %q", q.Status)
	}
	if q.Limit < 0 {
		return fmt.Errorf("limit: must be >= 0, got %d", q.Limit)
	}
	return nil
}

func (q DeliveryQuery) match(d Delivery) bool {
	if q.EndpointIDs != nil && !slices.Contains(q.EndpointIDs, d.EndpointID) {
		return false
	}
	switch q.Status {
	case "":
		return true
	case "failed":
		return d.Failed()
	}
	return d.Outcome == q.Status
}

// RecordAttempt appends res (attempt number attempt of msg) to the delivery
// log, keeps msg's body for replay, and updates the endpoint's failure
// counters. It returns a non-empty disable reason when the endpoint must be
// disabled: it answered 410 or is invalid (OutcomeDisable), or every
// attempt failed for DisableAfter. It does not disable it: the caller
// does, with Disable, and emits the event.
//
// Its writes are not synced: a process crash loses nothing (pebble's WAL is
// in the OS), a machine crash may lose the last entries and failure counts.
// The log is for people and replay; delivery correctness rests on the retry
// topics. A synced write per attempt capped delivery at a few hundred
// attempts a second.
func (r *Registry) RecordAttempt(res Result, attempt int, msg Message) (disable string, err error) {
	d := Delivery{
		EndpointID: res.EndpointID, MessageID: res.MessageID, EventType: msg.Type, Attempt: attempt,
		Outcome: res.Outcome.String(), Status: res.Status, LatencyMS: float64(res.Latency.Microseconds()) / 1000,
		Response: res.Response, Time: res.Attempted.UTC(),
	}
	if res.Err != nil {
		d.Error = res.Err.Error()
	}
	db, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode delivery of %s: %w", d.MessageID, err)
	}
	mb, err := json.Marshal(storedMessage{Type: msg.Type, Body: msg.Body})
	if err != nil {
		return "", fmt.Errorf("encode message %s: %w", d.MessageID, err)
	}
	r.mu.Lock()
	r.seq++
	key := fmt.Sprintf("%s%s/%016x/%016x", keyDelivery, d.EndpointID, uint64(d.Time.UnixNano()), r.seq)
	r.mu.Unlock()
	b := r.db.NewBatch()
	defer b.Close()
	if err := errors.Join(b.Set([]byte(key), db, nil), b.Set([]byte(keyMessage+d.MessageID), mb, nil),
		b.Set(sentKey(d.EndpointID, d.MessageID), nil, nil)); err != nil {
		return "", fmt.Errorf("log delivery of %s: %w", d.MessageID, err)
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return "", fmt.Errorf("log delivery of %s: %w", d.MessageID, err)
	}

	_, err = r.update(res.EndpointID, func(e *RegisteredEndpoint) error {
		switch res.Outcome {
		case OutcomeDelivered:
			e.ConsecutiveFailures, e.FirstFailureAt = 0, time.Time{}
		case OutcomeRetry, OutcomeDisable:
			if e.ConsecutiveFailures == 0 {
				e.FirstFailureAt = res.Attempted.UTC()
			}
			e.ConsecutiveFailures++
		}
		switch {
		case res.Outcome == OutcomeDisable:
			disable = res.Err.Error()
		case e.ConsecutiveFailures > 0 && res.End().Sub(e.FirstFailureAt) >= r.cfg.DisableAfter:
			disable = fmt.Sprintf("every attempt failed since %s (%d attempts)",
				e.FirstFailureAt.Format(time.RFC3339), e.ConsecutiveFailures)
		}
		return nil
	}, pebble.NoSync)
	if errors.Is(err, ErrNotFound) {
		return "", nil // deleted meanwhile: nothing to count or disable
	}
	if err != nil {
		return "", fmt.Errorf("count failures of %s: %w", res.EndpointID, err)
	}
	return disable, nil
}

// sentKey marks that a message was attempted to an endpoint, so replay can
// check it belongs there.
func sentKey(endpoint, message string) []byte { return []byte(keySent + endpoint + "/" + message) }

// Attempted reports whether message id was ever attempted to endpoint (in
// the delivery log, since retention did not remove it).
func (r *Registry) Attempted(endpoint, id string) bool {
	_, closer, err := r.db.Get(sentKey(endpoint, id))
	if err != nil {
		return false
	}
	closer.Close()
	return true
}

type storedMessage struct {
	Type string `json:"type"`
	Body []byte `json:"body"`
}

// Message returns a logged message by id, for replay.
func (r *Registry) Message(id string) (Message, error) {
	var m storedMessage
	found, err := pebblekv.Get(r.db, []byte(keyMessage+id), func(v []byte) error { return json.Unmarshal(v, &m) })
	switch {
	case err != nil && found:
		return Message{}, fmt.Errorf("decode message %q: %w", id, err)
	case err != nil:
		return Message{}, fmt.Errorf("read message %q: %w", id, err)
	case !found:
		return Message{}, fmt.Errorf("message %q: %w", id, ErrNotFound)
	}
	return Message{ID: id, Type: m.Type, Body: m.Body}, nil
}

// Deliveries returns the log entries q selects, oldest first per endpoint
// (q.NewestFirst: newest first), at most q.Limit of them. Entries are kept
// for RegistryConfig.Retention (see Sweep).
func (r *Registry) Deliveries(q DeliveryQuery) ([]Delivery, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Limit == 0 || q.Limit > MaxDeliveries {
		q.Limit = MaxDeliveries
	}
	prefix := keyDelivery
	if q.EndpointID != "" {
		prefix += q.EndpointID + "/"
	}
	lower := prefix
	if q.EndpointID != "" && q.Since.After(time.Unix(0, 0)) {
		lower += fmt.Sprintf("%016x", uint64(q.Since.UnixNano())) // an endpoint's keys sort by time
	}
	it, err := r.db.NewIter(&pebble.IterOptions{LowerBound: []byte(lower), UpperBound: prefixEnd(prefix)})
	if err != nil {
		return nil, fmt.Errorf("read delivery log: %w", err)
	}
	defer it.Close()
	var out []Delivery
	first, next := it.First, it.Next
	if q.NewestFirst {
		first, next = it.Last, it.Prev
	}
	for first(); it.Valid() && len(out) < q.Limit; next() {
		var d Delivery
		if err := json.Unmarshal(it.Value(), &d); err != nil {
			return nil, fmt.Errorf("decode delivery %s: %w", it.Key(), err)
		}
		if d.Time.Before(q.Since) || !q.match(d) {
			continue
		}
		out = append(out, d)
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("read delivery log: %w", err)
	}
	if q.NewestFirst { // across endpoints too
		slices.SortStableFunc(out, func(a, b Delivery) int { return b.Time.Compare(a.Time) })
	}
	return out, nil
}

// FailedSince returns the ids of endpoint's messages attempted since since
// whose last logged attempt failed: what a replay of failures re-sends. It
// looks at the first MaxDeliveries attempts from since; replay again from a
// later time for more.
func (r *Registry) FailedSince(endpoint string, since time.Time) ([]string, error) {
	if strings.Contains(endpoint, "/") || endpoint == "" {
		return nil, fmt.Errorf("endpoint: invalid id %q", endpoint)
	}
	ds, err := r.Deliveries(DeliveryQuery{EndpointID: endpoint, Since: since, Limit: MaxDeliveries})
	if err != nil {
		return nil, err
	}
	last := map[string]bool{} // message id -> last attempt failed
	var order []string
	for _, d := range ds {
		if _, seen := last[d.MessageID]; !seen {
			order = append(order, d.MessageID)
		}
		last[d.MessageID] = d.Failed()
	}
	var out []string
	for _, id := range order {
		if last[id] {
			out = append(out, id)
		}
	}
	return out, nil
}
