package ingest

// The tests in this file need the real Kafka broker (TESTING.md): they
// skip without CLICKTRAIL_TEST_KAFKA.

import (
	"context"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
)

// TestKafkaIntegration runs the suite TestKafkaFake runs on kfake against
// the real broker.
func TestKafkaIntegration(t *testing.T) {
	kafkaSuite(t, newKafkaEnv(testenv.Kafka(t), "ingest_test"))
}

func TestEnsureTopicsIntegration(t *testing.T) {
	brokers := testenv.Kafka(t)
	ctx := context.Background()
	cfg := KafkaConfig{Brokers: brokers, Partitions: 2}
	plain, compacted := testenv.Name("ensure_plain"), testenv.Name("ensure_compacted")
	specs := []TopicSpec{
		{Name: plain, RetentionMs: 3600000},
		{Name: compacted, Partitions: 1, Compacted: true},
	}
	for i := range 2 { // the second call finds both and succeeds
		if err := EnsureTopics(ctx, cfg, specs...); err != nil {
			t.Fatalf("EnsureTopics call %d: %v", i+1, err)
		}
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	// CreateTopics answers once the controller created the topics; the
	// brokers' metadata follows asynchronously, so a topic can show no
	// partitions for a moment (seen here as "0 partitions, want 1").
	// Wait for the metadata to show any partition, then check the count.
	var details kadm.TopicDetails
	testutil.Eventually(t, "metadata of the created topics", func() (bool, string) {
		details, err = adm.ListTopics(ctx, plain, compacted)
		if err != nil {
			return false, err.Error()
		}
		return len(details[plain].Partitions) > 0 && len(details[compacted].Partitions) > 0,
			fmt.Sprintf("%d and %d partitions", len(details[plain].Partitions), len(details[compacted].Partitions))
	})
	for name, want := range map[string]int{plain: 2, compacted: 1} {
		if got := len(details[name].Partitions); got != want {
			t.Errorf("%s has %d partitions, want %d", name, got, want)
		}
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, plain, compacted)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		plain:     {"retention.ms": "3600000", "cleanup.policy": "delete"},
		compacted: {"cleanup.policy": "compact"},
	}
	for _, rc := range rcs {
		for _, c := range rc.Configs {
			if w, ok := want[rc.Name][c.Key]; ok && c.MaybeValue() != w {
				t.Errorf("%s %s = %s, want %s", rc.Name, c.Key, c.MaybeValue(), w)
			}
		}
	}
}
