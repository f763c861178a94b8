package ingest

import "errors"

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
