package ingest

import "sync"

// Bounds of a topic's in-memory tail (see spoolTail).
const (
	tailMaxRecords = 4096
	tailMaxBytes   = 4 << 20
)

// spoolTail keeps a topic's most recently appended records, encoded, in
// memory, so that consumers keeping up with the appenders (the normal case:
// the redirector's forwarder, the embedded enricher) read them without a
// pebble iterator. Profiles of the embedded mode showed a fresh iterator and
// its SeekGE per batch at 14% of the process's CPU.
//
// It holds a contiguous range of sequence numbers [first, first+len): pushes
// happen under the topic's append mutex, right after the records' pebble
// commit, so the tail never holds a record pebble does not, and never has a
// gap. A reader outside that range (a lagging group, one starting after a
// restart) falls back to pebble. Eviction is oldest first, past
// tailMaxRecords or tailMaxBytes. The records of one append call share one
// backing array, so a partly evicted multi-record Produce can keep up to
// one batch's bytes beyond tailMaxBytes alive.
//
// Rejected: one long-lived pebble iterator per consumer. A DB iterator reads
// a fixed view; SetOptions refreshes only batch iterators, so new records
// would still need a new iterator.
type spoolTail struct {
	mu    sync.RWMutex
	first uint64   // the sequence number of recs[head]
	recs  [][]byte // ring buffer of encoded entries
	head  int      // index of the oldest record in recs
	n     int      // records held
	bytes int      // sum of len over held records
}

// push appends the encoded record seq. Callers hold the topic's append
// mutex, so seqs arrive in order; a gap (impossible unless a push was
// skipped) resets the tail rather than serving a wrong range.
func (tl *spoolTail) push(seq uint64, enc []byte) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.recs == nil {
		tl.recs = make([][]byte, tailMaxRecords)
	}
	if tl.n > 0 && seq != tl.first+uint64(tl.n) {
		tl.resetLocked()
	}
	if tl.n == 0 {
		tl.first = seq
	}
	for tl.n > 0 && (tl.n == len(tl.recs) || tl.bytes+len(enc) > tailMaxBytes) {
		tl.bytes -= len(tl.recs[tl.head])
		tl.recs[tl.head] = nil
		tl.head = (tl.head + 1) % len(tl.recs)
		tl.first++
		tl.n--
	}
	tl.recs[(tl.head+tl.n)%len(tl.recs)] = enc
	tl.n++
	tl.bytes += len(enc)
}

func (tl *spoolTail) resetLocked() {
	clear(tl.recs)
	tl.head, tl.n, tl.bytes = 0, 0, 0
}

// read calls fn for the held records from seq from on, at most max of
// them, in order, and reports whether from was in the held range or just
// past it (then there is nothing newer: every append pushes here before it
// wakes consumers). False means: read pebble instead. fn must not keep enc:
// it is shared.
func (tl *spoolTail) read(from uint64, max int, fn func(seq uint64, enc []byte)) bool {
	tl.mu.RLock()
	defer tl.mu.RUnlock()
	if tl.n == 0 || from < tl.first || from > tl.first+uint64(tl.n) {
		return false
	}
	off := int(from - tl.first)
	for i := off; i < tl.n && i-off < max; i++ {
		fn(tl.first+uint64(i), tl.recs[(tl.head+i)%len(tl.recs)])
	}
	return true
}
