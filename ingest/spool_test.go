package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/clicktrail/clicktrail/internal/testutil"
)

func openSpool(t testing.TB, dir string, opts SpoolOptions) *Spool {
	t.Helper()
	s, err := OpenSpool(dir, opts)
	if err != nil {
		t.Fatalf("OpenSpool: %v", err)
	}
	return s
}

func appendN(t testing.TB, s *Spool, topic string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := s.Append(topic, []byte(fmt.Sprintf("k%d", i%7)), []byte(fmt.Sprintf("v%d", i))); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

// assertSequence checks that recs are values v<from>..v<from+n-1> at offsets
// from..from+n-1: nothing lost, nothing repeated, in order.
func assertSequence(t testing.TB, recs []Record, from, n int) {
	t.Helper()
	if len(recs) != n {
		t.Fatalf("got %d records, want %d", len(recs), n)
	}
	for i, r := range recs {
		want := from + i
		if r.Offset != int64(want) || string(r.Value) != fmt.Sprintf("v%d", want) || r.Partition != 0 {
			t.Fatalf("record %d: partition %d offset %d value %q, want partition 0 offset %d value v%d", i, r.Partition, r.Offset, r.Value, want, want)
		}
		if r.Timestamp.IsZero() {
			t.Fatalf("record %d has no timestamp", i)
		}
	}
}

func TestSpoolAppendConsumeCommit(t *testing.T) {
	for _, mode := range []string{SyncInterval, SyncAlways} {
		t.Run(mode, func(t *testing.T) {
			s := openSpool(t, t.TempDir(), SpoolOptions{SyncMode: mode})
			defer s.Close()
			appendN(t, s, "clicks", 0, 25)
			var c collector
			r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 10}), c.handle)
			testutil.WaitFor(t, "25 records", func() bool { return c.len() == 25 })
			testutil.WaitFor(t, "cursor 25", func() bool { return s.Stats().Topics["clicks"].Cursors["g"] == 25 })
			r.stop(t)
			assertSequence(t, c.records(), 0, 25)
			if c.batches < 3 {
				t.Errorf("25 records in %d batches, want at least 3 with MaxRecords 10", c.batches)
			}
			st := s.Stats()
			if st.Appends != 25 || st.Topics["clicks"].Backlog != 0 || st.BacklogBytes != 0 {
				t.Errorf("stats = %+v, want 25 appends and an empty backlog", st)
			}
		})
	}
}

func TestSpoolWakesConsumerOnAppend(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	var c collector
	// A one-record batch is handed over as soon as it is read, and an idle
	// consumer only reads again when woken: without the notification the
	// records would never arrive.
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 1}), c.handle)
	defer r.stop(t)
	for i := range 3 {
		testutil.WaitFor(t, "consumer registered", func() bool { _, ok := s.Stats().Topics["clicks"].Cursors["g"]; return ok })
		appendN(t, s, "clicks", i, 1)
		testutil.WaitFor(t, fmt.Sprintf("record %d", i), func() bool { return c.len() == i+1 })
	}
}

func TestSpoolRedeliversAfterHandlerError(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	appendN(t, s, "clicks", 0, 5)
	var mu sync.Mutex
	var calls [][]Record
	h := func(_ context.Context, batch []Record) error {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, batch)
		if len(calls) <= 2 {
			return errors.New("sink down")
		}
		return nil
	}
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 5}), h)
	testutil.WaitFor(t, "cursor 5", func() bool { return s.Stats().Topics["clicks"].Cursors["g"] == 5 })
	r.stop(t)
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 3 {
		t.Fatalf("handler called %d times, want 3", len(calls))
	}
	for _, b := range calls {
		assertSequence(t, b, 0, 5) // the failed batch again, whole
	}
}

func TestSpoolRestartResumesAfterCommit(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{})
	appendN(t, s, "clicks", 0, 100)

	// Consume the first 50 (five batches of 10), then stop.
	ctx, cancel := context.WithCancel(context.Background())
	var c collector
	h := func(ctx context.Context, b []Record) error {
		_ = c.handle(ctx, b)
		if c.len() == 50 {
			cancel()
		}
		return nil
	}
	if err := s.Consumer("g", "clicks", BatchOptions{MaxRecords: 10}).Run(ctx, h); err != nil {
		t.Fatalf("Run: %v", err)
	}
	assertSequence(t, c.records(), 0, 50)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openSpool(t, dir, SpoolOptions{})
	defer s.Close()
	appendN(t, s, "clicks", 100, 50)
	var c2 collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 10}), c2.handle)
	testutil.WaitFor(t, "100 more records", func() bool { return c2.len() >= 100 })
	testutil.WaitFor(t, "cursor 150", func() bool { return s.Stats().Topics["clicks"].Cursors["g"] == 150 })
	r.stop(t)
	assertSequence(t, c2.records(), 50, 100)
}

func TestSpoolSequenceSurvivesFullTrimAndRestart(t *testing.T) {
	dir := t.TempDir()
	s := openSpool(t, dir, SpoolOptions{})
	appendN(t, s, "clicks", 0, 5)
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 5}), c.handle)
	testutil.WaitFor(t, "everything trimmed", func() bool { return s.Stats().Topics["clicks"].Head == 5 })
	r.stop(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openSpool(t, dir, SpoolOptions{})
	defer s.Close()
	appendN(t, s, "clicks", 5, 1)
	if got := s.Stats().Topics["clicks"]; got.Next != 6 || got.Head != 5 {
		t.Fatalf("after restart next=%d head=%d, want 6 and 5", got.Next, got.Head)
	}
}

func TestSpoolTwoGroupsAndTrim(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	appendN(t, s, "clicks", 0, 20)
	full := s.Stats().BacklogBytes

	// Register slow first without committing anything: its handler fails once
	// and stops it.
	ctx, cancel := context.WithCancel(context.Background())
	fail := func(context.Context, []Record) error { cancel(); return errors.New("not yet") }
	if err := s.Consumer("slow", "clicks", BatchOptions{MaxRecords: 8}).Run(ctx, fail); err != nil {
		t.Fatal(err)
	}

	var fast collector
	rf := start(s.Consumer("fast", "clicks", BatchOptions{MaxRecords: 100}), fast.handle)
	testutil.WaitFor(t, "fast group done", func() bool { return s.Stats().Topics["clicks"].Cursors["fast"] == 20 })
	rf.stop(t)
	assertSequence(t, fast.records(), 0, 20)
	if st := s.Stats(); st.Topics["clicks"].Head != 0 || st.BacklogBytes != full {
		t.Fatalf("fast alone trimmed: head %d, backlog bytes %d of %d", st.Topics["clicks"].Head, st.BacklogBytes, full)
	}

	// slow commits only the first 8; trimming must keep everything slow
	// has not committed.
	ctx, cancel = context.WithCancel(context.Background())
	var slow collector
	h := func(ctx context.Context, b []Record) error {
		_ = slow.handle(ctx, b)
		cancel()
		return nil
	}
	if err := s.Consumer("slow", "clicks", BatchOptions{MaxRecords: 8}).Run(ctx, h); err != nil {
		t.Fatal(err)
	}
	assertSequence(t, slow.records(), 0, 8)
	st := s.Stats().Topics["clicks"]
	if st.Head != 8 || st.Backlog != 12 {
		t.Fatalf("head=%d backlog=%d, want head 8 (slow's cursor) and 12 records left", st.Head, st.Backlog)
	}
	if b := s.Stats().BacklogBytes; b <= 0 || b >= full {
		t.Errorf("backlog bytes %d, want between 0 and %d", b, full)
	}
	// A group registered now starts at the head: the trimmed records are gone.
	var late collector
	rl := start(s.Consumer("late", "clicks", BatchOptions{MaxRecords: 100}), late.handle)
	testutil.WaitFor(t, "late group done", func() bool { return late.len() == 12 })
	rl.stop(t)
	assertSequence(t, late.records(), 8, 12)
	// slow resumes where it committed.
	var slow2 collector
	rs := start(s.Consumer("slow", "clicks", BatchOptions{MaxRecords: 100}), slow2.handle)
	testutil.WaitFor(t, "slow group done", func() bool { return slow2.len() == 12 })
	testutil.WaitFor(t, "all trimmed", func() bool { return s.Stats().BacklogBytes == 0 })
	rs.stop(t)
	assertSequence(t, slow2.records(), 8, 12)
}

func TestSpoolFull(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{MaxBytes: 1000})
	defer s.Close()
	n := 0
	var err error
	for n < 1000 {
		if err = s.Append("clicks", []byte("key"), []byte("a value of about forty bytes, give or take")); err != nil {
			break
		}
		n++
	}
	if !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("after %d appends err = %v, want ErrSpoolFull", n, err)
	}
	if err := s.Produce(context.Background(), []Record{{Topic: "clicks", Value: make([]byte, 100)}}); !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("Produce on a full spool: %v, want ErrSpoolFull", err)
	}
	st := s.Stats()
	if st.FullDrops != 2 || st.Appends != int64(n) || st.BacklogBytes > 1000 {
		t.Fatalf("stats = %+v, want 2 drops, %d appends, backlog <= 1000", st, n)
	}
	// Consuming frees the space.
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 1000}), c.handle)
	testutil.WaitFor(t, "backlog drained", func() bool { return s.Stats().BacklogBytes == 0 })
	r.stop(t)
	if err := s.Append("clicks", nil, []byte("again")); err != nil {
		t.Fatalf("Append after draining: %v", err)
	}
}

func TestSpoolConcurrentAppendsKeepEveryRecord(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	const writers, each = 8, 500
	var c collector
	r := start(s.Consumer("g", "clicks", BatchOptions{MaxRecords: 300}), c.handle)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Append("clicks", nil, fmt.Appendf(nil, "%d/%d", w, i)); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	testutil.WaitFor(t, "every record", func() bool { return c.len() >= writers*each })
	r.stop(t)
	recs := c.records()
	if len(recs) != writers*each {
		t.Fatalf("got %d records, want %d", len(recs), writers*each)
	}
	seen := make(map[string]bool)
	last := make(map[int]int) // writer -> last i: each writer's records keep their order
	for i, rec := range recs {
		if rec.Offset != int64(i) {
			t.Fatalf("record %d has offset %d: the sequence has a gap or repeat", i, rec.Offset)
		}
		v := string(rec.Value)
		if seen[v] {
			t.Fatalf("value %s delivered twice", v)
		}
		seen[v] = true
		var w, n int
		if _, err := fmt.Sscanf(v, "%d/%d", &w, &n); err != nil {
			t.Fatal(err)
		}
		if prev, ok := last[w]; ok && n != prev+1 {
			t.Fatalf("writer %d: record %d after %d", w, n, prev)
		}
		last[w] = n
	}
}

func TestSpoolProduceMultiTopic(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	recs := []Record{
		{Topic: "b", Key: []byte("k"), Value: []byte("b0"), Headers: []Header{{Key: "h", Value: []byte("1")}}},
		{Topic: "a", Value: []byte("a0")},
		{Topic: "b", Value: []byte("b1")},
	}
	if err := s.Produce(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	for topic, want := range map[string][]string{"a": {"a0"}, "b": {"b0", "b1"}} {
		var c collector
		r := start(s.Consumer("g", topic, BatchOptions{MaxRecords: 10}), c.handle)
		testutil.WaitFor(t, topic, func() bool { return c.len() == len(want) })
		r.stop(t)
		for i, rec := range c.records() {
			if string(rec.Value) != want[i] || rec.Offset != int64(i) || rec.Topic != topic {
				t.Errorf("%s[%d] = %s@%d, want %s@%d", topic, i, rec.Value, rec.Offset, want[i], i)
			}
		}
		if topic == "b" {
			if h := c.records()[0].Headers; len(h) != 1 || h[0].Key != "h" || string(h[0].Value) != "1" || string(c.records()[0].Key) != "k" {
				t.Errorf("b[0] key %q headers %v, want k and h=1", c.records()[0].Key, h)
			}
		}
	}
}

func TestSpoolRejectsBadNames(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	tests := []struct {
		name, topic, group, want string
	}{
		{"empty topic", "", "g", "topic"},
		{"slash in topic", "a/b", "g", "topic"},
		{"slash in group", "t", "a/b", "group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Consumer(tt.group, tt.topic, BatchOptions{}).Run(context.Background(), (&collector{}).handle)
			if err == nil || !strings.Contains(err.Error(), tt.want+" ") {
				t.Fatalf("Run = %v, want an error naming %s", err, tt.want)
			}
			if tt.group == "g" {
				if err := s.Append(tt.topic, nil, nil); err == nil || !strings.Contains(err.Error(), "topic ") {
					t.Fatalf("Append = %v, want an error naming the topic", err)
				}
			}
		})
	}
}

func TestSpoolClosedConsumerReturns(t *testing.T) {
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	var c collector
	done := make(chan error, 1)
	go func() { done <- s.Consumer("g", "clicks", BatchOptions{}).Run(context.Background(), c.handle) }()
	testutil.WaitFor(t, "registered", func() bool { _, ok := s.Stats().Topics["clicks"].Cursors["g"]; return ok })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrSpoolClosed) {
		t.Fatalf("Run after Close = %v, want ErrSpoolClosed", err)
	}
	if err := s.Append("clicks", nil, nil); !errors.Is(err, ErrSpoolClosed) {
		t.Fatalf("Append after Close = %v, want ErrSpoolClosed", err)
	}
}

func TestSpoolOptionsValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*SpoolOptions)
		want   string
	}{
		{"defaults", func(*SpoolOptions) {}, ""},
		{"bad sync mode", func(o *SpoolOptions) { o.SyncMode = "sometimes" }, "SyncMode"},
		{"negative interval", func(o *SpoolOptions) { o.FlushInterval = -1 }, "FlushInterval"},
		{"negative max bytes", func(o *SpoolOptions) { o.MaxBytes = -1 }, "MaxBytes"},
		{"negative cache", func(o *SpoolOptions) { o.CacheBytes = -1 }, "CacheBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := SpoolOptions{}.WithDefaults()
			tt.mutate(&o)
			err := o.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
