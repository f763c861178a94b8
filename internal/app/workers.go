package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// The sink dead-letters rows ClickHouse can never take, and commits the rest.
var _ handler.PartialWriteError = (*clickhouse.RejectedError)(nil)

// Default consumer groups of the workers (see stages); instances sharing
// a group share the partitions.
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
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-enrich", log)
	if err := ensureTopics(ctx, cfg.Kafka, kcfg); err != nil {
		return err
	}
	return runWorker(ctx, worker{name: "enrich", kafka: cfg.Kafka, kcfg: kcfg, group: cfg.Group, batch: cfg.Batch,
		env: StageEnv{Logger: log, Enrich: cfg.Enrich}})
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
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-sink-clickhouse", log)
	if err := ensureTopics(ctx, cfg.Kafka, kcfg); err != nil {
		return err
	}
	w, err := openClickHouse(ctx, cfg.DSN, log, false)
	if err != nil {
		return err
	}
	defer w.Close()
	return runWorker(ctx, worker{name: "sink clickhouse", kafka: cfg.Kafka, kcfg: kcfg, group: cfg.Group, batch: cfg.Batch,
		env: StageEnv{Logger: log, Clicks: w, Conversions: w}})
}

// worker is a Kafka worker: the stages of the list whose Worker is name,
// each input a consumer group (group, default the list's, plus the
// input's suffix), their output and dead letters produced to Kafka.
type worker struct {
	name  string
	kafka Kafka
	kcfg  ingest.KafkaConfig
	group string
	batch Batch
	env   StageEnv // Out and Topic are set by runWorker
	// start, when set, runs once the stages are open and before they
	// consume (the webhook sink: its own topics, its API server).
	start func(g *group, opened []openedStage) error
}

func runWorker(ctx context.Context, w worker) (err error) {
	list := workerStages(w.name)
	group := w.group
	if group == "" {
		group = list[0].Group
	}
	producer, err := ingest.NewKafkaProducer(w.kcfg)
	if err != nil {
		return fmt.Errorf("kafka producer: %w", err)
	}
	defer producer.Close()
	w.env.Out, w.env.Topic = producer, w.kafka.Topic
	opened, closeStages, err := openStages(ctx, list, w.env)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeStages()) }()
	g := newGroup(ctx)
	if w.start != nil {
		if err := w.start(g, opened); err != nil {
			g.cancel()
			return errors.Join(err, g.Wait())
		}
	}
	batch := w.batch.options()
	// A consumer holds nothing until Run, so none needs closing on error.
	err = runStages(g, opened, w.kafka.Topic, func(in BoundInput) (record.Consumer, error) {
		c, err := ingest.NewKafkaConsumer(w.kcfg, group+in.GroupSuffix, in.Topic, batch)
		if err != nil {
			return nil, fmt.Errorf("kafka consumer of %s (group %s): %w", in.Topic, group+in.GroupSuffix, err)
		}
		return c, nil
	})
	if err != nil {
		g.cancel()
		return errors.Join(err, g.Wait())
	}
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
