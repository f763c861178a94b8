package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// The consumer, producer and forwarder tests run twice: against franz-go's
// in-memory kfake (fast, always) and against the real broker (testenv).

const suitePartitions = 3

type kafkaEnv struct {
	brokers  []string
	newTopic func(t *testing.T) string
}

func kafkaSuite(t *testing.T, env kafkaEnv) {
	t.Run("ConsumeAllCommitThenNothingMore", func(t *testing.T) { testConsumeAllCommit(t, env) })
	t.Run("HandlerErrorRedelivers", func(t *testing.T) { testHandlerErrorRedelivers(t, env) })
	t.Run("RejoinAfterRetryTimeout", func(t *testing.T) { testRejoinAfterRetryTimeout(t, env) })
	t.Run("ForwardSpoolToKafka", func(t *testing.T) { testForward(t, env) })
}

func TestKafkaFake(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kafkaSuite(t, newKafkaEnv(c.ListenAddrs(), "fake"))
}

// newKafkaEnv is the suite's environment on brokers, whose topics are named
// prefix_<unique>.
func newKafkaEnv(brokers []string, prefix string) kafkaEnv {
	return kafkaEnv{
		brokers: brokers,
		newTopic: func(t *testing.T) string {
			name := testenv.Name(prefix)
			if err := EnsureTopics(context.Background(), KafkaConfig{Brokers: brokers, Partitions: suitePartitions}, TopicSpec{Name: name}); err != nil {
				t.Fatal(err)
			}
			return name
		},
	}
}

func produce(t *testing.T, brokers []string, recs []Record) {
	t.Helper()
	p, err := NewKafkaProducer(KafkaConfig{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Produce(context.Background(), recs); err != nil {
		t.Fatalf("Produce: %v", err)
	}
}

func newConsumer(t *testing.T, cfg KafkaConfig, group, topic string, opts BatchOptions) *KafkaConsumer {
	t.Helper()
	c, err := NewKafkaConsumer(cfg, group, topic, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recordID names a record by its position.
func recordID(r Record) string { return fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset) }

func testConsumeAllCommit(t *testing.T, env kafkaEnv) {
	topic := env.newTopic(t)
	const n = 1000
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{Topic: topic, Key: fmt.Appendf(nil, "link-%d", i%50), Value: fmt.Appendf(nil, "v%d", i)}
	}
	produce(t, env.brokers, recs)

	group := testenv.Name("g")
	cfg := KafkaConfig{Brokers: env.brokers}
	var c collector
	r := start(newConsumer(t, cfg, group, topic, BatchOptions{MaxRecords: 100}), c.handle)
	testutil.WaitFor(t, "1000 records", func() bool { return c.len() >= n })
	r.stop(t)
	seen := make(map[string]bool)
	for _, rec := range c.records() {
		if seen[string(rec.Value)] {
			t.Fatalf("%s delivered twice", rec.Value)
		}
		seen[string(rec.Value)] = true
	}
	if len(seen) != n {
		t.Fatalf("got %d distinct records, want %d", len(seen), n)
	}

	// Everything was committed: a new member of the group sees only what is
	// produced afterwards.
	produce(t, env.brokers, []Record{{Topic: topic, Key: []byte("link-0"), Value: []byte("sentinel")}})
	var c2 collector
	r2 := start(newConsumer(t, cfg, group, topic, BatchOptions{MaxRecords: 100, MaxWait: 50e6}), c2.handle)
	testutil.WaitFor(t, "the sentinel", func() bool {
		for _, rec := range c2.records() {
			if string(rec.Value) == "sentinel" {
				return true
			}
		}
		return false
	})
	r2.stop(t)
	if got := c2.records(); len(got) != 1 {
		t.Fatalf("second consumer got %d records, want only the sentinel", len(got))
	}
}

func testHandlerErrorRedelivers(t *testing.T, env kafkaEnv) {
	topic := env.newTopic(t)
	var recs []Record
	for i := range 10 {
		recs = append(recs, Record{Topic: topic, Key: []byte("same-key"), Value: fmt.Appendf(nil, "v%d", i)})
	}
	produce(t, env.brokers, recs)

	var mu sync.Mutex
	failed := make(map[string]bool) // records handed to a failing call
	ok := make(map[string]bool)     // records handed to a succeeding call
	calls := 0
	h := func(_ context.Context, batch []Record) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		for _, r := range batch {
			if calls <= 2 {
				failed[recordID(r)] = true
			} else {
				ok[recordID(r)] = true
			}
		}
		if calls <= 2 {
			return errors.New("sink down")
		}
		return nil
	}
	r := start(newConsumer(t, KafkaConfig{Brokers: env.brokers}, testenv.Name("g"), topic, BatchOptions{MaxRecords: 100, MaxWait: 50e6}), h)
	testutil.WaitFor(t, "10 records handled", func() bool { mu.Lock(); defer mu.Unlock(); return len(ok) >= 10 })
	r.stop(t)
	mu.Lock()
	defer mu.Unlock()
	if len(failed) == 0 {
		t.Fatal("no failing call recorded")
	}
	for id := range failed {
		if !ok[id] {
			t.Errorf("record %s failed and was never redelivered", id)
		}
	}
}

func testRejoinAfterRetryTimeout(t *testing.T, env kafkaEnv) {
	topic := env.newTopic(t)
	produce(t, env.brokers, []Record{{Topic: topic, Key: []byte("k"), Value: []byte("only")}})
	var logs testenv.Buffer
	cfg := KafkaConfig{
		Brokers:             env.brokers,
		HandlerRetryTimeout: 200e6, // 200ms: give up on the member quickly
		Logger:              slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	var mu sync.Mutex
	calls, delivered := 0, 0
	h := func(_ context.Context, batch []Record) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls <= 6 { // backoff 50+100+200ms exceeds 200ms after 4 calls
			return errors.New("sink down")
		}
		delivered += len(batch)
		return nil
	}
	r := start(newConsumer(t, cfg, testenv.Name("g"), topic, BatchOptions{MaxRecords: 10, MaxWait: 10e6}), h)
	testutil.WaitFor(t, "the record handled", func() bool { mu.Lock(); defer mu.Unlock(); return delivered == 1 })
	r.stop(t)
	if !strings.Contains(logs.String(), "rejoining the group") {
		t.Fatalf("no rejoin logged; logs:\n%s", logs.String())
	}
}

func testForward(t *testing.T, env kafkaEnv) {
	topic := env.newTopic(t)
	s := openSpool(t, t.TempDir(), SpoolOptions{})
	defer s.Close()
	const keys, each = 5, 60
	for i := range each {
		for k := range keys {
			if err := s.Append(topic, fmt.Appendf(nil, "link-%d", k), fmt.Appendf(nil, "%d", i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, err := NewKafkaProducer(KafkaConfig{Brokers: env.brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	fwdDone := make(chan error, 1)
	go func() {
		fwdDone <- Forward(ctx, s.Consumer(ForwarderGroup, topic, BatchOptions{MaxRecords: 64, MaxWait: 10e6}), p)
	}()

	var c collector
	r := start(newConsumer(t, KafkaConfig{Brokers: env.brokers}, testenv.Name("g"), topic, BatchOptions{MaxRecords: 500, MaxWait: 50e6}), c.handle)
	testutil.WaitFor(t, "every record in Kafka", func() bool { return c.len() >= keys*each })
	testutil.WaitFor(t, "spool cursor committed", func() bool { return s.Stats().Topics[topic].Cursors[ForwarderGroup] == keys*each })
	r.stop(t)
	cancel()
	if err := <-fwdDone; err != nil {
		t.Fatalf("Forward: %v", err)
	}
	got := c.records()
	if len(got) != keys*each {
		t.Fatalf("Kafka has %d records, want %d exactly once", len(got), keys*each)
	}
	next := make(map[string]int)
	for _, rec := range got {
		k := string(rec.Key)
		if want := fmt.Sprint(next[k]); string(rec.Value) != want {
			t.Fatalf("key %s: got value %s, want %s (order per key)", k, rec.Value, want)
		}
		next[k]++
		if rec.Timestamp.IsZero() {
			t.Fatalf("record %s lost its timestamp", recordID(rec))
		}
	}
}
