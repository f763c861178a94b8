package ingest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
)

// never is a FlushInterval the syncer does not reach during a test: only
// Close, Stats, Produce and a full group commit.
const never = time.Hour

// TestSpoolGroupCommitDurableOnClose: appends pending in the group when the
// spool closes are on disk after a reopen, in order.
func TestSpoolGroupCommitDurableOnClose(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{FlushInterval: never})
	appendN(t, s, "clicks", 0, 100)
	if !s.pending() {
		t.Fatal("appends were committed before any flush: the group commit is not in use")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openSpool(t, dir, SpoolOptions{FlushInterval: never})
	defer s.Close()
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 1000}), c.handle)
	testutil.WaitFor(t, "100 records", func() bool { return c.len() == 100 })
	r.stop(t)
	assertSequence(t, c.records(), 0, 100)
}

// TestSpoolGroupCommitsOnInterval: the syncer commits the pending group
// without any other call, and consumers see it.
func TestSpoolGroupCommitsOnInterval(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{FlushInterval: time.Millisecond})
	defer s.Close()
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 1000}), c.handle)
	appendN(t, s, "clicks", 0, 50)
	testutil.WaitFor(t, "50 records", func() bool { return c.len() == 50 })
	r.stop(t)
	assertSequence(t, c.records(), 0, 50)
}

// TestSpoolGroupCommitsWhenFull: a group reaching groupFlushBytes is
// committed by its appender, however long the interval.
func TestSpoolGroupCommitsWhenFull(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{FlushInterval: never})
	defer s.Close()
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 1000}), c.handle)
	value := make([]byte, 1000)
	n := 0
	for ; c.len() == 0; n++ {
		if n > 2*groupFlushBytes/len(value) {
			t.Fatalf("%d appends of %d bytes and no group committed", n, len(value))
		}
		if err := s.Append("clicks", nil, value); err != nil {
			t.Fatal(err)
		}
		// An encoded entry is the value plus a few bytes of header
		// (version, timestamp, lengths): at most 16.
		if n < groupFlushBytes/(len(value)+16)-1 && c.len() > 0 {
			t.Fatalf("a record was visible after %d appends, before the group was full", n+1)
		}
	}
	r.stop(t)
}

// TestSpoolAppendThenProduceKeepsOrder: a Produce commits the caller's
// pending Appends first, so one caller's records keep their order.
func TestSpoolAppendThenProduceKeepsOrder(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{FlushInterval: never})
	defer s.Close()
	appendN(t, s, "clicks", 0, 3)
	if err := s.Produce(context.Background(), []Record{{Topic: "clicks", Value: []byte("v3")}}); err != nil {
		t.Fatal(err)
	}
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 10}), c.handle)
	testutil.WaitFor(t, "4 records", func() bool { return c.len() == 4 })
	r.stop(t)
	assertSequence(t, c.records(), 0, 4)
}

// TestSpoolFullCountsPending: records waiting in the group count against
// MaxBytes, so the bound holds between commits.
func TestSpoolFullCountsPending(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{FlushInterval: never, MaxBytes: 1000})
	defer s.Close()
	var err error
	n := 0
	for ; n < 1000; n++ {
		if err = s.Append("clicks", []byte("key"), []byte("a value of about forty bytes, give or take")); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrSpoolFull) || n == 0 || n > 1000/40 {
		t.Fatalf("after %d appends err = %v, want ErrSpoolFull after at most %d", n, err, 1000/40)
	}
	if st := s.Stats(); st.BacklogBytes > 1000 || st.Appends != int64(n) {
		t.Errorf("stats = %+v, want %d appends and a backlog <= 1000", st, n)
	}
}

// TestSpoolCloseWhileSyncerFlushes: Close does not wait on a syncer that
// waits on Close (the syncer's flush takes the spool's life lock).
func TestSpoolCloseWhileSyncerFlushes(t *testing.T) {
	dir := t.TempDir()
	for i := range 30 {
		s := openSpool(t, dir, SpoolOptions{FlushInterval: 50 * time.Microsecond})
		appendN(t, s, "clicks", 10*i, 10)
		if err := s.Close(); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
	}
	s := openSpool(t, dir, SpoolOptions{})
	defer s.Close()
	if next := s.Stats().Topics["clicks"].Next; next != 300 {
		t.Errorf("after 30 opens of 10 appends, next = %d, want 300", next)
	}
}
