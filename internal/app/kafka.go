package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/pipeline"
	"github.com/clicktrail/clicktrail/schemas"
)

const (
	rawTopic      = schemas.TopicClicksRaw
	enrichedTopic = schemas.TopicClicksEnriched
)

// forwarderBatch keeps the spool-to-Kafka hop short: clicks leave the node
// within a few milliseconds, in batches as large as the backlog allows.
var forwarderBatch = ingest.BatchOptions{MaxRecords: 5000, MaxWait: 5 * time.Millisecond}

func kafkaConfig(k Kafka, clientID string, log *slog.Logger) ingest.KafkaConfig {
	return ingest.KafkaConfig{
		Brokers:           k.Brokers,
		ClientID:          clientID,
		Partitions:        k.Partitions,
		ReplicationFactor: k.ReplicationFactor,
		Logger:            log,
	}
}

// ensureTopics creates clicktrail's topics (with the deployment's prefix)
// when they are missing.
func ensureTopics(ctx context.Context, k Kafka, kcfg ingest.KafkaConfig) error {
	specs := append(ingest.DefaultTopics(),
		// written by redirect nodes, read by the webhook sink
		ingest.TopicSpec{Name: pipeline.LinkEventsTopic, RetentionMs: webhookRetention.Milliseconds()})
	specs = append(specs, conversionTopics()...) // written by the link API, read by the webhook sink's attribution
	for i := range specs {
		specs[i].Name = k.Topic(specs[i].Name)
	}
	if err := ingest.EnsureTopics(ctx, kcfg, specs...); err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	return nil
}

func (b Batch) options() ingest.BatchOptions {
	return ingest.BatchOptions{MaxRecords: b.MaxRecords, MaxWait: b.MaxWait}.WithDefaults()
}
