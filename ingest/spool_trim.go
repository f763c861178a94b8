package ingest

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// trim deletes the records of t that every registered group has committed
// (those below the smallest cursor) with one DeleteRange, and moves the
// stored head there so reads seek past the tombstones instead of over them.
//
// Caller holds s.life for reading. The head is written without sync: if it is
// lost in a crash, recovery starts from the previous head and the next trim
// deletes the range again.
func (s *Spool) trim(t *spoolTopic) error {
	t.trimMu.Lock()
	defer t.trimMu.Unlock()
	upTo, err := t.minCursor()
	if err != nil {
		return nil // no group: keep everything
	}
	t.gmu.Lock()
	head := t.head
	t.gmu.Unlock()
	if upTo <= head {
		return nil
	}
	lo, hi := appendRecordKey(nil, t.prefix, head), appendRecordKey(nil, t.prefix, upTo)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return fmt.Errorf("size range: %w", err)
	}
	var freed int64
	for ok := it.First(); ok; ok = it.Next() {
		freed += int64(len(it.Value()))
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("size range: %w", err)
	}
	b := s.db.NewBatch()
	defer b.Close()
	_ = b.DeleteRange(lo, hi, nil)
	_ = b.Set(headKey(t.name), encodeUint64(upTo), nil)
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("delete [%d, %d): %w", head, upTo, err)
	}
	t.gmu.Lock()
	t.head = upTo
	t.gmu.Unlock()
	s.backlog.Add(-freed)
	return nil
}
