package ingest

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/twmb/franz-go/pkg/kfake"
)

// TestForwardSurvivesKafkaOutage starts the forwarder while no broker
// listens: produces time out, the spool keeps every record and its cursor
// does not move; once the broker is up, everything drains.
func TestForwardSurvivesKafkaOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	addr := ln.Addr().String()
	ln.Close() // nothing listens there until the cluster starts

	const topic, n = "clicks.raw.v1", 20
	var logs testenv.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := openSpool(t, t.TempDir(), SpoolOptions{Logger: log})
	defer s.Close()
	appendN(t, s, topic, 0, n)

	p, err := NewKafkaProducer(KafkaConfig{Brokers: []string{addr}, ProduceTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Forward(ctx, s.Consumer(ForwarderGroup, topic, BatchOptions{MaxRecords: 8, MaxWait: 10e6}), p)
	}()

	testutil.WaitFor(t, "a failed forward", func() bool { return strings.Contains(logs.String(), "handler failed") })
	if st := s.Stats().Topics[topic]; st.Cursors[ForwarderGroup] != 0 || st.Backlog != n {
		t.Fatalf("during the outage cursor=%d backlog=%d, want 0 and %d", st.Cursors[ForwarderGroup], st.Backlog, n)
	}

	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	})
	testutil.WaitFor(t, "the spool drained", func() bool { return s.Stats().Topics[topic].Cursors[ForwarderGroup] == n })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Forward: %v", err)
	}

	var col collector
	r := start(newConsumer(t, KafkaConfig{Brokers: []string{addr}}, "check", topic, BatchOptions{MaxWait: 10e6}), col.handle)
	testutil.WaitFor(t, "every record in Kafka", func() bool { return col.len() >= n })
	r.stop(t)
	// Timed-out produces may land twice (consumers dedup on event id); none
	// may be missing.
	seen := make(map[string]bool)
	for _, rec := range col.records() {
		seen[string(rec.Value)] = true
	}
	if len(seen) != n {
		t.Fatalf("Kafka has %d distinct records, want %d", len(seen), n)
	}
}
