package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
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
	specs := topicSpecs()
	for i := range specs {
		specs[i].Name = k.Topic(specs[i].Name)
	}
	if err := ingest.EnsureTopics(ctx, kcfg, specs...); err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	return nil
}

// topicSpecs are clicktrail's topics, without the deployment's prefix.
func topicSpecs() []ingest.TopicSpec {
	specs := append(ingest.DefaultTopics(),
		// written by redirect nodes, read by the webhook sink and the
		// ClickHouse sink's conversions consumer, which dead-letters there
		ingest.TopicSpec{Name: schemas.TopicLinkEvents, RetentionMs: webhookRetention.Milliseconds()},
		ingest.TopicSpec{Name: schemas.DeadLetterTopic(schemas.TopicLinkEvents), RetentionMs: ingest.DeadLetterRetention.Milliseconds()})
	return append(specs, conversionTopics()...) // written by the link API, read by the webhook sink's attribution
}

// Backoff of ensureTopicsRetrying: the first retry after topicsRetryMin,
// doubling up to topicsRetryMax.
const (
	topicsRetryMin = 500 * time.Millisecond
	topicsRetryMax = 10 * time.Second
)

// ensureTopicsRetrying is ensureTopics until it succeeds or ctx ends, for a
// process that has work to do before Kafka answers (a redirect node serves
// and spools). Every failure is logged as a warning with the next wait.
func ensureTopicsRetrying(ctx context.Context, k Kafka, kcfg ingest.KafkaConfig, log *slog.Logger) error {
	wait := topicsRetryMin
	for {
		err := ensureTopics(ctx, k, kcfg)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Warn("kafka: topics not ready; clicks wait in the spool", "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, topicsRetryMax)
	}
}

func (b Batch) options() ingest.BatchOptions {
	return ingest.BatchOptions{MaxRecords: b.MaxRecords, MaxWait: b.MaxWait}.WithDefaults()
}
