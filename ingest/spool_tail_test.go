package ingest

import (
	"fmt"
	"testing"

	"github.com/clicktrail/clicktrail/internal/testutil"
)

func TestSpoolTail(t *testing.T) {
	rec := func(seq uint64) []byte { return []byte(fmt.Sprintf("r%d", seq)) }
	for _, tc := range []struct {
		name        string
		pushFrom    uint64
		pushes      int
		readFrom    uint64
		max         int
		wantOK      bool
		wantFirst   uint64 // first seq read
		wantRecords int
	}{
		{"empty", 0, 0, 0, 10, false, 0, 0},
		{"all", 5, 3, 5, 10, true, 5, 3},
		{"middle, capped by max", 5, 10, 7, 2, true, 7, 2},
		{"caught up: nothing newer", 5, 3, 8, 10, true, 0, 0},
		{"before the tail", 5, 3, 4, 10, false, 0, 0},
		{"past the tail", 5, 3, 9, 10, false, 0, 0},
		{"evicted by count", 0, tailMaxRecords + 10, 9, 10, false, 0, 0},
		{"oldest kept after eviction", 0, tailMaxRecords + 10, 10, 1, true, 10, 1},
		{"newest after eviction", 0, tailMaxRecords + 10, tailMaxRecords + 9, 10, true, tailMaxRecords + 9, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tl spoolTail
			for i := range tc.pushes {
				tl.push(tc.pushFrom+uint64(i), rec(tc.pushFrom+uint64(i)))
			}
			var got []uint64
			ok := tl.read(tc.readFrom, tc.max, func(seq uint64, enc []byte) {
				if string(enc) != string(rec(seq)) {
					t.Errorf("seq %d holds %q", seq, enc)
				}
				got = append(got, seq)
			})
			if ok != tc.wantOK || len(got) != tc.wantRecords {
				t.Fatalf("read(%d, %d) = %v with %d records, want %v with %d", tc.readFrom, tc.max, ok, len(got), tc.wantOK, tc.wantRecords)
			}
			for i, seq := range got {
				if seq != tc.wantFirst+uint64(i) {
					t.Fatalf("read seqs %v, want from %d on", got, tc.wantFirst)
				}
			}
		})
	}
}

func TestSpoolTailEvictsByBytes(t *testing.T) {
	var tl spoolTail
	big := make([]byte, tailMaxBytes/3+1)
	for seq := range uint64(4) {
		tl.push(seq, big)
	}
	if tl.n != 2 || tl.first != 2 || tl.bytes > tailMaxBytes {
		t.Fatalf("after 4 pushes of a third of the cap: n=%d first=%d bytes=%d, want 2 records from 2", tl.n, tl.first, tl.bytes)
	}
}

func TestSpoolTailGapResets(t *testing.T) {
	var tl spoolTail
	tl.push(0, []byte("a"))
	tl.push(5, []byte("b"))
	if tl.read(0, 10, func(uint64, []byte) {}) || !tl.read(5, 10, func(uint64, []byte) {}) {
		t.Fatalf("after a gap the tail must hold only the new range: first=%d n=%d", tl.first, tl.n)
	}
}

// TestSpoolConsumerCrossesFromPebbleToTail has a consumer start far behind
// the tail (reading pebble), catch up into it, and follow live appends:
// every record once, in order, whichever path served it.
func TestSpoolConsumerCrossesFromPebbleToTail(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	const before = tailMaxRecords + 500
	appendN(t, s, "clicks", 0, before)
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 300}), c.handle)
	appendN(t, s, "clicks", before, 1000)
	testutil.WaitFor(t, "every record", func() bool { return c.len() >= before+1000 })
	r.stop(t)
	assertSequence(t, c.records(), 0, before+1000)
}
