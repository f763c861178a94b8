package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
)

// spoolConsumer reads one spool topic as one group.
type spoolConsumer struct {
	s     *Spool
	group string
	topic string
	opts  BatchOptions
}

var _ Consumer = (*spoolConsumer)(nil)
var _ Producer = (*Spool)(nil)

// Consumer returns a consumer of topic for group. Run registers the group on
// the topic (from then on it holds back trimming) and starts, for a new group,
// at the oldest retained record; then it hands the handler batches of at most
// opts.MaxRecords records, waiting up to opts.MaxWait for a batch to fill, and
// commits the group's cursor (synced) after the handler returns nil. On a
// handler error it backs off (50ms doubling to 5s) and delivers the same
// batch again. Records have Partition 0 and Offset = sequence number.
//
// Only one Run per group and topic may be active at a time. Run returns nil
// when ctx is done, ErrSpoolClosed when the spool is closed, and other errors
// when the spool cannot be read or written.
func (s *Spool) Consumer(group, topic string, opts BatchOptions) Consumer {
	return &spoolConsumer{s: s, group: group, topic: topic, opts: opts.WithDefaults()}
}

// Run implements Consumer.
func (c *spoolConsumer) Run(ctx context.Context, h Handler) error {
	if err := validName("group", c.group); err != nil {
		return fmt.Errorf("spool consumer: %w", err)
	}
	t, cursor, wake, err := c.s.register(c.topic, c.group)
	if err != nil {
		return fmt.Errorf("spool consumer %s on %s: %w", c.group, c.topic, err)
	}
	defer c.s.unregister(t, c.group, wake)

	bo := newBackoff()
	for ctx.Err() == nil {
		batch, err := c.fill(ctx, t, cursor, wake)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("spool consumer %s on %s: %w", c.group, c.topic, err)
		}
		if !c.deliver(ctx, h, batch, &bo) {
			return nil
		}
		cursor = uint64(batch[len(batch)-1].Offset) + 1
		if err := c.s.commit(t, c.group, cursor); err != nil {
			return fmt.Errorf("spool consumer %s on %s: %w", c.group, c.topic, err)
		}
	}
	return nil
}

// deliver calls h until it returns nil; it reports false if ctx ended first.
func (c *spoolConsumer) deliver(ctx context.Context, h Handler, batch []Record, bo *backoff) bool {
	for {
		err := h(ctx, batch)
		if err == nil {
			bo.reset()
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		wait := bo.next()
		c.s.log.Warn("spool consumer: handler failed, retrying the batch",
			"group", c.group, "topic", c.topic, "first_offset", batch[0].Offset,
			"records", len(batch), "retry_in", wait, "err", err)
		if !sleep(ctx, wait) {
			return false
		}
	}
}

// fill returns the next batch from cursor: it blocks until at least one
// record is there, then waits up to MaxWait (woken by appends) for the batch
// to reach MaxRecords.
func (c *spoolConsumer) fill(ctx context.Context, t *spoolTopic, from uint64, wake chan struct{}) ([]Record, error) {
	var batch []Record
	var deadline <-chan time.Time
	for {
		recs, next, err := c.s.read(t, from, c.opts.MaxRecords-len(batch))
		if err != nil {
			return nil, err
		}
		batch = append(batch, recs...)
		from = next
		if len(batch) >= c.opts.MaxRecords {
			return batch, nil
		}
		if len(batch) > 0 && deadline == nil {
			tm := time.NewTimer(c.opts.MaxWait)
			defer tm.Stop()
			deadline = tm.C
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.s.closing:
			return nil, ErrSpoolClosed
		case <-deadline:
			return batch, nil
		case <-wake:
		}
	}
}

// register adds group to t (persisting a new group's cursor at the head) and
// returns its cursor and a wake channel signalled on every append.
func (s *Spool) register(topic, group string) (*spoolTopic, uint64, chan struct{}, error) {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return nil, 0, nil, ErrSpoolClosed
	}
	t, err := s.topic(topic)
	if err != nil {
		return nil, 0, nil, err
	}
	t.gmu.Lock()
	defer t.gmu.Unlock()
	if t.running[group] {
		return nil, 0, nil, fmt.Errorf("group %q already runs on topic %q in this process", group, topic)
	}
	cur, ok := t.cursors[group]
	if !ok {
		cur = t.head
		if err := s.db.Set(cursorKey(topic, group), encodeUint64(cur), pebble.Sync); err != nil {
			return nil, 0, nil, fmt.Errorf("register group %q: %w", group, err)
		}
		t.cursors[group] = cur
	}
	t.running[group] = true
	wake := make(chan struct{}, 1)
	ws := append(slices.Clone(*t.wakers.Load()), wake)
	t.wakers.Store(&ws)
	return t, cur, wake, nil
}

func (s *Spool) unregister(t *spoolTopic, group string, wake chan struct{}) {
	t.gmu.Lock()
	defer t.gmu.Unlock()
	delete(t.running, group)
	ws := slices.DeleteFunc(slices.Clone(*t.wakers.Load()), func(c chan struct{}) bool { return c == wake })
	t.wakers.Store(&ws)
}

// read returns up to n records of t from seq from on, and the seq after the
// last one returned (from itself if none).
func (s *Spool) read(t *spoolTopic, from uint64, n int) ([]Record, uint64, error) {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return nil, from, ErrSpoolClosed
	}
	t.gmu.Lock()
	from = max(from, t.head) // seek from the head, never into tombstones
	t.gmu.Unlock()
	if recs, next, ok := s.readTail(t, from, n); ok {
		return recs, next, nil
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: appendRecordKey(nil, t.prefix, from), UpperBound: pebblekv.PrefixEnd(t.prefix)})
	if err != nil {
		return nil, from, fmt.Errorf("read %s: %w", t.name, err)
	}
	var recs []Record
	next := from
	for ok := it.First(); ok && len(recs) < n; ok = it.Next() {
		seq, err := recordSeq(t.name, it.Key())
		if err != nil {
			_ = it.Close()
			return nil, from, fmt.Errorf("read %s: %w", t.name, err)
		}
		next = seq + 1
		v := slices.Clone(it.Value())
		e, err := decodeEntry(v)
		if err != nil {
			// Our own encoding failed to decode: the disk or a bug corrupted
			// it. Skipping is the only way forward; say so loudly.
			s.log.Error("spool: skipping undecodable record", "topic", t.name, "seq", seq, "err", err)
			continue
		}
		recs = append(recs, Record{
			Topic: t.name, Offset: int64(seq),
			Key: e.Key, Value: e.Value, Headers: e.Headers, Timestamp: e.Timestamp,
		})
	}
	if err := it.Close(); err != nil {
		return nil, from, fmt.Errorf("read %s: %w", t.name, err)
	}
	return recs, next, nil
}

// readTail is read served from t's in-memory tail; ok is false when from
// is not in it. Records get their own copy of the bytes, as from pebble.
func (s *Spool) readTail(t *spoolTopic, from uint64, n int) (recs []Record, next uint64, ok bool) {
	next = from
	ok = t.tail.read(from, n, func(seq uint64, enc []byte) {
		next = seq + 1
		e, err := decodeEntry(slices.Clone(enc))
		if err != nil { // we encoded it a moment ago: a bug
			s.log.Error("spool: skipping undecodable record", "topic", t.name, "seq", seq, "err", err)
			return
		}
		recs = append(recs, Record{
			Topic: t.name, Offset: int64(seq),
			Key: e.Key, Value: e.Value, Headers: e.Headers, Timestamp: e.Timestamp,
		})
	})
	return recs, next, ok
}

// commit durably stores group's cursor on t and trims what every group has
// committed.
func (s *Spool) commit(t *spoolTopic, group string, cursor uint64) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrSpoolClosed
	}
	if err := s.db.Set(cursorKey(t.name, group), encodeUint64(cursor), pebble.Sync); err != nil {
		return fmt.Errorf("commit cursor %d: %w", cursor, err)
	}
	t.gmu.Lock()
	t.cursors[group] = cursor
	t.gmu.Unlock()
	if err := s.trim(t); err != nil {
		// The cursor is committed; trimming is retried on the next commit.
		s.log.Error("spool: trim", "topic", t.name, "err", err)
	}
	return nil
}

var errNoGroups = errors.New("no groups")

// minCursor returns the smallest cursor of t's groups.
func (t *spoolTopic) minCursor() (uint64, error) {
	t.gmu.Lock()
	defer t.gmu.Unlock()
	if len(t.cursors) == 0 {
		return 0, errNoGroups
	}
	m := uint64(1<<64 - 1)
	for _, c := range t.cursors {
		m = min(m, c)
	}
	return m, nil
}
