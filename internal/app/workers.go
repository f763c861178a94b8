package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
	chstage "github.com/clicktrail/clicktrail/sinks/clickhouse/stage"
)

// The sink dead-letters rows ClickHouse can never take, and commits the rest.
var _ handler.PartialWriteError = (*clickhouse.RejectedError)(nil)

// Default consumer groups; instances sharing a group share the partitions.
const (
	defaultEnrichGroup = "clicktrail-enrich"
	defaultSinkGroup   = "clicktrail-sink-clickhouse"
)

// RunEnrichWorker consumes raw clicks, enriches them and produces enriched
// clicks, committing each batch only after Kafka acknowledged its output.
func RunEnrichWorker(ctx context.Context, cfg EnrichWorker) error {
	if err := errors.Join(cfg.Kafka.validate(), cfg.Enrich.validate()); err != nil {
		return fmt.Errorf("enrich config: %w", err)
	}
	log := logs.OrDiscard(cfg.Logger)
	group := cfg.Group
	if group == "" {
		group = defaultEnrichGroup
	}
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-enrich", log)
	if err := ensureTopics(ctx, cfg.Kafka, kcfg); err != nil {
		return err
	}
	enricher, err := newEnricher(cfg.Enrich)
	if err != nil {
		return err
	}
	defer enricher.Close()
	producer, err := ingest.NewKafkaProducer(kcfg)
	if err != nil {
		return fmt.Errorf("kafka producer: %w", err)
	}
	defer producer.Close()
	consumer, err := ingest.NewKafkaConsumer(kcfg, group, cfg.Kafka.Topic(rawTopic), cfg.Batch.options())
	if err != nil {
		return fmt.Errorf("kafka consumer: %w", err)
	}
	return consumer.Run(ctx, handler.Enrich(enricher, producer, cfg.Kafka.Topic(enrichedTopic), log))
}

// RunClickHouseSink consumes enriched clicks and inserts them into
// ClickHouse, committing each batch only after the insert was acknowledged;
// a second consumer group does the same for the attributed conversions of
// the link events topic (the conversions table).
func RunClickHouseSink(ctx context.Context, cfg ClickHouseSink) error {
	if err := cfg.Kafka.validate(); err != nil {
		return fmt.Errorf("sink config: %w", err)
	}
	if cfg.DSN == "" {
		return errors.New("sink config: clickhouse-dsn: required")
	}
	log := logs.OrDiscard(cfg.Logger)
	group := cfg.Group
	if group == "" {
		group = defaultSinkGroup
	}
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-sink-clickhouse", log)
	if err := ensureTopics(ctx, cfg.Kafka, kcfg); err != nil {
		return err
	}
	w, err := openClickHouse(ctx, cfg.DSN, log, false)
	if err != nil {
		return err
	}
	defer w.Close()
	dlq, err := ingest.NewKafkaProducer(kcfg)
	if err != nil {
		return fmt.Errorf("kafka producer: %w", err)
	}
	defer dlq.Close()
	consumer, err := ingest.NewKafkaConsumer(kcfg, group, cfg.Kafka.Topic(enrichedTopic), cfg.Batch.options())
	if err != nil {
		return fmt.Errorf("kafka consumer: %w", err)
	}
	// Attributed conversions ride the link events topic (see the
	// attribution stage); their own group keeps a conversions table that
	// lags or fails from holding clicks back.
	conversions, err := ingest.NewKafkaConsumer(kcfg, group+"-conversions", cfg.Kafka.Topic(schemas.TopicLinkEvents), cfg.Batch.options())
	if err != nil {
		return fmt.Errorf("kafka conversions consumer: %w", err)
	}
	g := newGroup(ctx)
	g.Go("clickhouse clicks", func(ctx context.Context) error { return consumer.Run(ctx, handler.Sink(w, dlq, log)) })
	g.Go("clickhouse conversions", func(ctx context.Context) error {
		return conversions.Run(ctx, chstage.Conversions(w, dlq, log))
	})
	return g.Wait()
}

// Migrate applies the ClickHouse DDL and returns the server's version.
func Migrate(ctx context.Context, dsn string, log *slog.Logger) (string, error) {
	if dsn == "" {
		return "", errors.New("clickhouse-dsn: required")
	}
	w, err := openClickHouse(ctx, dsn, logs.OrDiscard(log), true)
	if err != nil {
		return "", err
	}
	defer w.Close()
	return w.ServerVersion().String(), nil
}

func openClickHouse(ctx context.Context, dsn string, log *slog.Logger, migrate bool) (*clickhouse.Writer, error) {
	w, err := clickhouse.Open(ctx, clickhouse.Config{DSN: dsn}, log)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: %w", err)
	}
	if migrate {
		if err := w.Migrate(ctx, clickhouse.MigrateOptions{}); err != nil {
			w.Close()
			return nil, fmt.Errorf("clickhouse migrate: %w", err)
		}
	}
	return w, nil
}
