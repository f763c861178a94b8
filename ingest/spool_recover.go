package ingest

import (
	"fmt"
	"strings"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
)

// recover loads every topic's state at open: the next sequence number (one
// past the last record, never below the head or a cursor, so numbering stays
// monotonic even when every record was trimmed), the head, the group cursors
// and the backlog size.
func (s *Spool) recover() error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(kindTopic), UpperBound: pebblekv.PrefixEnd([]byte(kindTopic))})
	if err != nil {
		return fmt.Errorf("list topics: %w", err)
	}
	var names []string
	for ok := it.First(); ok; ok = it.Next() {
		names = append(names, strings.TrimPrefix(string(it.Key()), kindTopic))
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("list topics: %w", err)
	}
	for _, name := range names {
		t := newSpoolTopic(name)
		if err := s.recoverTopic(t); err != nil {
			return fmt.Errorf("recover topic %q: %w", name, err)
		}
		s.topics.Store(name, t)
	}
	return nil
}

func (s *Spool) recoverTopic(t *spoolTopic) error {
	head, err := s.getUint64(headKey(t.name), "head")
	if err != nil {
		return err
	}
	t.head = head
	t.next = head

	cp := []byte(kindCursor + t.name + "/")
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: cp, UpperBound: pebblekv.PrefixEnd(cp)})
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		group := string(it.Key()[len(cp):])
		cur, err := decodeUint64("cursor of group "+group, it.Value())
		if err != nil {
			_ = it.Close()
			return err
		}
		t.cursors[group] = cur
		t.next = max(t.next, cur)
	}
	if err := it.Close(); err != nil {
		return err
	}

	// Seek from the head: everything below it is range-deleted tombstones.
	it, err = s.db.NewIter(&pebble.IterOptions{LowerBound: appendRecordKey(nil, t.prefix, head), UpperBound: pebblekv.PrefixEnd(t.prefix)})
	if err != nil {
		return err
	}
	var bytes int64
	for ok := it.First(); ok; ok = it.Next() {
		bytes += int64(len(it.Value()))
	}
	if it.Last() {
		seq, err := recordSeq(t.name, it.Key())
		if err != nil {
			_ = it.Close()
			return err
		}
		t.next = max(t.next, seq+1)
	}
	if err := it.Close(); err != nil {
		return err
	}
	s.backlog.Add(bytes)
	return nil
}

// getUint64 reads an 8-byte value; a missing key reads as 0.
func (s *Spool) getUint64(key []byte, what string) (uint64, error) {
	var n uint64
	found, err := pebblekv.Get(s.db, key, func(v []byte) (err error) {
		n, err = decodeUint64(what, v)
		return err
	})
	if err != nil && !found {
		return 0, fmt.Errorf("read %s: %w", what, err)
	}
	return n, err // decodeUint64's error names what
}
