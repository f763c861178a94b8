package ingest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Append adds one record to topic, stamped with the current time. It is the
// redirect hot path: it never waits on Kafka, and in SyncInterval mode not
// on the disk either. It copies key and value: the caller may reuse them.
//
// In SyncInterval mode nil means the record is in the pending group commit
// (spoolGroup), which the syncer writes and syncs within FlushInterval: a
// crash loses at most that window. Consumers see the record once its group
// is committed. In SyncAlways mode nil means the record is synced and
// visible. When the backlog (pending records included) would exceed
// MaxBytes it returns ErrSpoolFull and adds nothing. An error other than
// ErrSpoolFull means nothing was appended and the caller may retry.
func (s *Spool) Append(topic string, key, value []byte) error {
	e := [1]entry{{Key: key, Value: value, Timestamp: time.Now()}}
	if s.opts.SyncMode == SyncAlways {
		names, es := [1]string{topic}, [1][]entry{e[:]}
		if err := s.appendTopics(names[:], es[:]); err != nil {
			return fmt.Errorf("spool append to %s: %w", topic, err)
		}
		return nil
	}
	if err := s.appendGrouped(topic, &e[0]); err != nil {
		return fmt.Errorf("spool append to %s: %w", topic, err)
	}
	return nil
}

// appendGrouped adds e to the pending group commit (SyncInterval mode).
func (s *Spool) appendGrouped(topic string, e *entry) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrSpoolClosed
	}
	t, err := s.topic(topic)
	if err != nil {
		return err
	}
	ok, flushNow := s.enqueue(t, e)
	if !ok {
		names := [1]string{topic}
		s.full(names[:])
		return ErrSpoolFull
	}
	s.appends.Add(1)
	if flushNow {
		// The record is pending either way: a failed commit is retried
		// by the syncer, so this appender still gets nil.
		if err := s.flushGroup(); err != nil {
			s.log.Error("spool: flush a full group", "err", err)
		}
	}
	return nil
}

// Produce implements Producer: it appends recs to their topics (Record.Topic)
// in one synced pebble batch, so nil means every record is on disk. Records
// of one topic keep their order. Partition and Offset are ignored: the spool
// assigns sequence numbers. A zero Timestamp is stamped with the current time.
func (s *Spool) Produce(ctx context.Context, recs []Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("spool produce: %w", err)
	}
	if err := s.flushPending(); err != nil { // keeps a caller's Append before its Produce
		return fmt.Errorf("spool produce: %w", err)
	}
	byTopic := make(map[string][]entry)
	now := time.Now()
	for _, r := range recs {
		ts := r.Timestamp
		if ts.IsZero() {
			ts = now
		}
		byTopic[r.Topic] = append(byTopic[r.Topic], entry{Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: ts})
	}
	names := make([]string, 0, len(byTopic))
	for name := range byTopic {
		names = append(names, name)
	}
	slices.Sort(names) // lock order: avoids deadlock between concurrent Produce calls
	es := make([][]entry, len(names))
	for i, name := range names {
		es[i] = byTopic[name]
	}
	if err := s.appendTopics(names, es); err != nil {
		return fmt.Errorf("spool produce: %w", err)
	}
	return nil
}

// appendTopics appends es[i] to topic names[i] for every i (names sorted
// and distinct) in one synced pebble batch (Produce, and Append in
// SyncAlways mode). It takes parallel slices, not a map nor a slice of
// structs, so that escape analysis keeps Append's arguments on its stack:
// the names leak (topic creation stores them), the entries do not.
//
// Design: the sequence numbers are assigned under the topics' mutexes and
// the pebble commit is enqueued under the same mutexes, so records become
// visible in sequence order and a consumer cursor never skips one. Only the
// enqueue happens under the mutexes (ApplyNoSyncWait); the fsync wait
// happens after they are released, so concurrent appends share one fsync.
// The simpler design, one mutex held across a synced write, was rejected:
// it serializes fsyncs and caps a topic at one append per disk flush.
func (s *Spool) appendTopics(names []string, es [][]entry) error {
	if len(names) == 0 {
		return nil
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrSpoolClosed
	}
	var topicsArr [1]*spoolTopic
	topics := topicsArr[:0]
	for _, name := range names {
		t, err := s.topic(name)
		if err != nil {
			return err
		}
		topics = append(topics, t)
	}

	bufp := s.getBuf()
	defer s.bufs.Put(bufp)
	buf := (*bufp)[:0]
	var endsArr [1]int
	ends := endsArr[:0] // end offset of each encoded entry in buf, in names/es order
	for _, tes := range es {
		for i := range tes {
			buf = appendEntry(buf, &tes[i])
			ends = append(ends, len(buf))
		}
	}
	*bufp = buf
	size := int64(len(buf))
	if s.backlog.Load()+size > s.opts.MaxBytes {
		s.full(names)
		return ErrSpoolFull
	}

	b := s.db.NewBatchWithSize(len(buf) + len(ends)*(len(names[0])+16))
	defer b.Close()
	for _, t := range topics {
		t.mu.Lock()
	}
	start, k := 0, 0
	for i, t := range topics {
		seq := t.next
		for range es[i] {
			_ = b.Set(appendRecordKey(nil, t.prefix, seq), buf[start:ends[k]], nil) // only fails on a committed batch
			start = ends[k]
			seq++
			k++
		}
	}
	err := s.db.ApplyNoSyncWait(b, pebble.Sync)
	if err == nil {
		// One copy of the encoded batch backs the tails' entries: buf is
		// scratch and goes back to the pool.
		own := slices.Clone(buf)
		start, k = 0, 0
		for i, t := range topics {
			for range es[i] {
				t.tail.push(t.next, own[start:ends[k]:ends[k]])
				t.next++
				start = ends[k]
				k++
			}
		}
	}
	for _, t := range topics {
		t.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	if err := b.SyncWait(); err != nil {
		return fmt.Errorf("sync batch: %w", err)
	}
	s.backlog.Add(size)
	s.appends.Add(int64(len(ends)))
	for _, t := range topics {
		t.wake()
	}
	return nil
}

func (s *Spool) getBuf() *[]byte {
	if p, ok := s.bufs.Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 0, 512)
	return &b
}

// full counts a refused append and logs at most once per second.
func (s *Spool) full(names []string) {
	drops := s.fullDrops.Add(1)
	now := time.Now().UnixNano()
	last := s.lastFullLog.Load()
	if now-last < int64(time.Second) || !s.lastFullLog.CompareAndSwap(last, now) {
		return
	}
	s.log.Warn("spool full: dropping records until consumers catch up",
		"topics", slices.Clone(names), // a copy keeps Append's names array on its stack
		"backlog_bytes", s.backlog.Load(), "max_bytes", s.opts.MaxBytes, "dropped_total", drops)
}
