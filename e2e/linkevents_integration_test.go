package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/client"
	"github.com/clicktrail/clicktrail/internal/app"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// TestLinkEventsReachWebhooksThroughKafka: a link created through a redirect
// node's API reaches an endpoint of the webhook sink, a separate process
// that learns of it only through Kafka, as a verified link.created whose
// data is the link.
func TestLinkEventsReachWebhooksThroughKafka(t *testing.T) {
	brokers := testenv.Kafka(t)
	kafka := app.Kafka{Brokers: brokers, TopicPrefix: testenv.Name("linkev") + ".", Partitions: 2, ReplicationFactor: 1}
	sinkDir := t.TempDir()

	rc := newReceiver(t, nil)

	rc.subscribe(t, sinkDir, schemas.EventLinkCreated)

	node := nodeConfig(t)
	node.Kafka = kafka
	_, apiURL := startNode(t, "redirect node", &node, func(ctx context.Context) error { return app.RunRedirectNode(ctx, node) })
	run(t, "webhook sink", func(ctx context.Context) error {
		return app.RunWorker(ctx, app.Worker{Name: "sink webhook", Kafka: kafka, Group: testenv.Name("webhook"), Local: app.Local{DataDir: sinkDir},
			StageConfigs: app.StageConfigs{Webhooks: app.Webhooks{Delivery: webhook.Config{AllowPrivate: true}}}, Batch: app.Batch{MaxRecords: 100, MaxWait: 50 * time.Millisecond}})
	})

	l := createLink(t, apiURL, client.CreateLinkRequest{DestinationURL: "https://example.com/launch", Path: "launch"})
	rc.waitFor(t, "the link.created webhook", 1, 90*time.Second)
	got, bad := rc.Received()
	data, _ := got[0]["data"].(map[string]any)
	if got[0]["type"] != schemas.EventLinkCreated || data["id"] != l.ID || data["path"] != "launch" || len(bad) != 0 {
		t.Fatalf("webhook %v (refused %v), want link.created of %s", got[0], bad, l.ID)
	}
}
