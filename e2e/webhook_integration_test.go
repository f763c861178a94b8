package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
	whstage "github.com/clicktrail/clicktrail/sinks/webhook/stage"
)

// TestWebhookSinkOnKafkaRetriesAcrossRestart: the first attempt fails and
// is parked on the retry topic; the sink is stopped while the retry waits
// and started again; the retry still happens, with the same webhook-id.
func TestWebhookSinkOnKafkaRetriesAcrossRestart(t *testing.T) {
	brokers := testenv.Kafka(t)
	kafka := app.Kafka{Brokers: brokers, TopicPrefix: testenv.Name("wh") + ".", Partitions: 1, ReplicationFactor: 1}
	dataDir := t.TempDir()

	rc := newReceiver(t, func(n int) int { // the first attempt fails
		if n == 0 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	received := func() []string { // webhook-ids of the verified attempts
		got, _ := rc.Received()
		ids := make([]string, len(got))
		for i, p := range got {
			ids[i], _ = p["webhook-id"].(string)
		}
		return ids
	}

	rc.subscribe(t, dataDir, schemas.EventClickCreated)

	group := testenv.Name("webhook")
	sink := func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "sink webhook",
			Kafka: kafka, Group: group, Local: app.Local{DataDir: dataDir},
			StageConfigs: app.StageConfigs{Webhooks: app.Webhooks{Delivery: webhook.Config{AllowPrivate: true},
				Stage: whstage.Config{Schedule: webhook.Schedule{Delays: []time.Duration{15 * time.Second}}}}},
			Batch: app.Batch{MaxRecords: 100, MaxWait: 50 * time.Millisecond},
		})
	}
	ctx1, stop1 := context.WithCancel(context.Background())
	done1 := make(chan error, 1)
	go func() { done1 <- sink(ctx1) }()
	t.Cleanup(stop1)

	kcfg := ingest.KafkaConfig{Brokers: brokers, Partitions: 1, ReplicationFactor: 1}
	enriched := kafka.Topic(schemas.TopicClicksEnriched)
	if err := ingest.EnsureTopics(context.Background(), kcfg, ingest.TopicSpec{Name: enriched}); err != nil {
		t.Fatal(err)
	}
	prod, err := ingest.NewKafkaProducer(kcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	c := schemas.EnrichedClick{V: schemas.EnrichedClickVersion, EventID: "0193a6f2-7c1e-7b3a-9f00-0000000e2e01",
		Type: schemas.ClickTypeClick, Time: time.Now().UTC(), LinkID: "lnk_e2e", Domain: "go.brand.test", Path: "x"}
	v, _ := c.Marshal()
	if err := prod.Produce(context.Background(), []ingest.Record{{Topic: enriched, Key: []byte(c.LinkID), Value: v}}); err != nil {
		t.Fatal(err)
	}

	testutil.Eventually(t, "the first, failing attempt", func() (bool, string) {
		return len(received()) >= 1, fmt.Sprint(received())
	}, testutil.Timeout(90*time.Second), pollEvery)
	adm, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	retryTopic := kafka.Topic(whstage.RetryTopic) + ".1" // the first schedule step
	testutil.Eventually(t, "the retry parked on "+retryTopic, func() (bool, string) {
		ends, err := kadm.NewClient(adm).ListEndOffsets(context.Background(), retryTopic)
		if err != nil {
			return false, err.Error()
		}
		o, _ := ends.Lookup(retryTopic, 0)
		return o.Offset > 0, fmt.Sprintf("end offset %d (%v)", o.Offset, o.Err)
	}, testutil.Timeout(60*time.Second), pollEvery)
	stop1()
	if err := <-done1; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("first sink: %v", err)
	}
	if n := len(received()); n != 1 {
		t.Fatalf("%d attempts before the restart, want the retry still waiting", n)
	}

	run(t, "restarted webhook sink", sink)
	testutil.Eventually(t, "the retry after the restart", func() (bool, string) {
		return len(received()) >= 2, fmt.Sprint(received())
	}, testutil.Timeout(90*time.Second), pollEvery)
	got := received()
	_, bad := rc.Received()
	if got[0] != c.EventID || got[1] != c.EventID || len(bad) != 0 {
		t.Errorf("attempts carried ids %v (refused %v), want the event id twice", got, bad)
	}
}
