package ingest

import (
	"errors"
	"fmt"
	"time"
)

// SpoolStats is a snapshot of a Spool's counters.
type SpoolStats struct {
	// Appends counts records appended since open (Append and Produce).
	Appends int64
	// FullDrops counts records refused with ErrSpoolFull since open.
	FullDrops int64
	// BacklogBytes is the encoded size of the records not yet trimmed, the
	// quantity bounded by SpoolOptions.MaxBytes.
	BacklogBytes int64
	// Topics holds per-topic positions.
	Topics map[string]SpoolTopicStats
}

// SpoolTopicStats are the positions of one topic.
type SpoolTopicStats struct {
	Next    uint64            // sequence number of the next record appended
	Head    uint64            // records below Head are deleted
	Cursors map[string]uint64 // group -> next sequence number it will read
	// Backlog is the number of records the slowest group has not committed
	// (Next - Head when no group is registered).
	Backlog uint64
}

// Stats returns a snapshot of the spool's counters and positions. It
// commits the pending group first (a failure is logged), so that positions
// count every record appended before the call.
func (s *Spool) Stats() SpoolStats {
	if err := s.flushPending(); err != nil && !errors.Is(err, ErrSpoolClosed) {
		s.log.Error("spool: flush for stats", "err", err)
	}
	st := SpoolStats{
		Appends:      s.appends.Load(),
		FullDrops:    s.fullDrops.Load(),
		BacklogBytes: s.backlog.Load(),
		Topics:       make(map[string]SpoolTopicStats),
	}
	s.topics.Range(func(k, v any) bool {
		t := v.(*spoolTopic)
		t.mu.Lock()
		next := t.next
		t.mu.Unlock()
		t.gmu.Lock()
		ts := SpoolTopicStats{Next: next, Head: t.head, Cursors: make(map[string]uint64, len(t.cursors))}
		low := t.head
		for g, c := range t.cursors {
			ts.Cursors[g] = c
			if len(ts.Cursors) == 1 || c < low {
				low = c
			}
		}
		t.gmu.Unlock()
		if next > low {
			ts.Backlog = next - low
		}
		st.Topics[k.(string)] = ts
		return true
	})
	return st
}

// OldestPending returns the timestamp of the oldest record of topic that
// its slowest group has not committed (with no group, the oldest kept):
// how old the spool's backlog is. ok is false when there is none (or the
// record has no timestamp). It reads one record.
func (s *Spool) OldestPending(topic string) (ts time.Time, ok bool, err error) {
	v, found := s.topics.Load(topic)
	if !found {
		return time.Time{}, false, nil
	}
	t := v.(*spoolTopic)
	t.gmu.Lock()
	low, first := t.head, true
	for _, c := range t.cursors {
		if first || c < low {
			low, first = c, false
		}
	}
	t.gmu.Unlock()
	recs, _, err := s.read(t, low, 1)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("spool %s: oldest pending record: %w", topic, err)
	}
	if len(recs) == 0 || recs[0].Timestamp.IsZero() {
		return time.Time{}, false, nil
	}
	return recs[0].Timestamp, true, nil
}
