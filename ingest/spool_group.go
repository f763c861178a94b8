package ingest

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// groupFlushBytes is the size at which a pending group is committed by the
// appender that filled it rather than by the next tick of the syncer: it
// bounds the group's memory when appends outrun FlushInterval.
const groupFlushBytes = 1 << 20

// spoolGroup is the group commit of SyncInterval mode: Append encodes its
// record into the pending group and returns; every FlushInterval the syncer
// commits the whole group as one synced pebble batch, assigning the
// records' sequence numbers in append order.
//
// Why: a pebble commit per record (sequence number, WAL record, memtable
// insert, publication, under the topic's mutex) cost the redirect path
// several microseconds per click, more than the rest of the redirect; one
// commit per interval costs that once for hundreds of clicks. The durability
// promise is unchanged: in interval mode a crash loses at most the last
// FlushInterval of appends, whether they waited in the WAL buffer for the
// sync (the previous design) or in the group for the commit (this one).
//
// Invariants: groups commit one at a time and in order (flushMu), so
// sequence numbers follow append order per topic. A record becomes visible
// to consumers (pebble and the in-memory tail) when its group commits. A
// group that fails to commit stays pending, ahead of newer appends, and is
// retried at the next flush: the appenders already got nil for it. Records
// are never lost to a failed commit, only delayed; if commits keep failing
// the pending bytes count against MaxBytes, and Append returns
// ErrSpoolFull.
//
// Rejected: sequence numbers assigned at Append time. A Produce to the same
// topic between the Append and the commit would need to wait for the
// group anyway, to commit in sequence order; assigning at commit keeps
// Append free of the topic's mutex.
type spoolGroup struct {
	flushMu sync.Mutex // held by the one flush in progress

	mu   sync.Mutex // guards buf and recs
	buf  []byte     // encoded entries back to back
	recs []groupRec // one per record, in append order
}

// groupRec is one pending record: its topic and the end of its encoding in
// buf (it starts where the previous one ends).
type groupRec struct {
	t   *spoolTopic
	end int
}

// enqueue adds e to topic t's pending records. It reports false, adding
// nothing, when the spool's backlog with the pending group and e would
// exceed MaxBytes; flushNow reports that the group reached groupFlushBytes.
func (s *Spool) enqueue(t *spoolTopic, e *entry) (ok, flushNow bool) {
	g := &s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	start := len(g.buf)
	g.buf = appendEntry(g.buf, e)
	if s.backlog.Load()+int64(len(g.buf)) > s.opts.MaxBytes {
		g.buf = g.buf[:start]
		return false, false
	}
	g.recs = append(g.recs, groupRec{t: t, end: len(g.buf)})
	return true, len(g.buf) >= groupFlushBytes
}

// pending reports whether records wait for a group commit.
func (s *Spool) pending() bool {
	g := &s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.recs) > 0
}

// flushPending commits the pending group, if any, for a caller that does
// not hold s.life.
func (s *Spool) flushPending() error {
	if !s.pending() {
		return nil
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrSpoolClosed
	}
	return s.flushGroup()
}

// flushGroup commits the pending group as one synced batch; nil means every
// record appended before the call is durable and visible. Callers hold
// s.life (for reading, or for writing in Close).
func (s *Spool) flushGroup() error {
	g := &s.group
	g.flushMu.Lock()
	defer g.flushMu.Unlock()
	g.mu.Lock()
	buf, recs := g.buf, g.recs
	// buf becomes the tails' (they keep slices of it): the next group
	// starts a new one, sized for a group like this one. (Not like the
	// largest so far: after one burst filled a group to groupFlushBytes,
	// allocating and zeroing that much 200 times a second cost the
	// redirect node more CPU than the rest of click capture.) recs is
	// dropped after the commit.
	g.buf, g.recs = make([]byte, 0, max(len(buf)+len(buf)/4, 4<<10)), make([]groupRec, 0, max(len(recs)+len(recs)/4, 16))
	g.mu.Unlock()
	if len(recs) == 0 {
		return nil
	}
	if err := s.commitGroup(buf, recs); err != nil {
		s.requeue(buf, recs)
		return fmt.Errorf("spool group commit of %d records: %w", len(recs), err)
	}
	return nil
}

// commitGroup writes recs (encoded back to back in buf) in one batch with
// their sequence numbers, then publishes them to the tails and consumers.
func (s *Spool) commitGroup(buf []byte, recs []groupRec) error {
	var topics []*spoolTopic
	for _, r := range recs {
		if !slices.Contains(topics, r.t) {
			topics = append(topics, r.t)
		}
	}
	// Lock order: by name, as appendTopics locks a Produce's topics.
	slices.SortFunc(topics, func(a, b *spoolTopic) int { return cmp.Compare(a.name, b.name) })
	b := s.db.NewBatchWithSize(len(buf) + len(recs)*(len(topics[0].name)+16))
	defer b.Close()
	for _, t := range topics {
		t.mu.Lock()
	}
	next := make(map[*spoolTopic]uint64, len(topics))
	for _, t := range topics {
		next[t] = t.next
	}
	start := 0
	var key []byte // one buffer for every key: the batch copies them
	for _, r := range recs {
		key = appendRecordKey(key[:0], r.t.prefix, next[r.t])
		_ = b.Set(key, buf[start:r.end], nil) // copies key and value; only fails on a committed batch
		next[r.t]++
		start = r.end
	}
	err := s.db.ApplyNoSyncWait(b, pebble.Sync)
	if err == nil {
		start = 0
		for _, r := range recs {
			r.t.tail.push(r.t.next, buf[start:r.end:r.end])
			r.t.next++
			start = r.end
		}
	}
	for _, t := range topics {
		t.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	if err := b.SyncWait(); err != nil {
		// The batch is applied: its records are visible and counted; only
		// their fsync failed. Retrying would duplicate them.
		s.log.Error("spool: sync group commit", "records", len(recs), "err", err)
	}
	s.backlog.Add(int64(len(buf)))
	for _, t := range topics {
		t.wake()
	}
	return nil
}

// requeue puts a group that failed to commit back ahead of the records
// appended since.
func (s *Spool) requeue(buf []byte, recs []groupRec) {
	g := &s.group
	g.mu.Lock()
	defer g.mu.Unlock()
	n := len(buf)
	for _, r := range g.recs {
		recs = append(recs, groupRec{t: r.t, end: r.end + n})
	}
	g.buf = append(buf, g.buf...)
	g.recs = recs
}
