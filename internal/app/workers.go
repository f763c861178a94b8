package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/metrics"
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

// Worker is a Kafka worker: the stages of the list (Stages) whose Worker
// is Name ("enrich", "sink clickhouse", "sink webhook"), each input a
// consumer group, their output and dead letters produced to Kafka. The
// CLI makes one command of each (cmd/clicktrail/workers.go).
type Worker struct {
	Name  string
	Kafka Kafka
	// Group is the consumer group; empty: the list's default for Name.
	// Each input's group is Group plus the input's GroupSuffix.
	Group string `flag:"group" env:"CLICKTRAIL_GROUP" usage:"Kafka consumer group (instances with the same group share the work)"`
	// DebugAddr, when set, serves the worker's Prometheus metrics at
	// /metrics and pprof, as a redirect node's --debug-addr does.
	DebugAddr string `flag:"debug-addr" env:"CLICKTRAIL_DEBUG_ADDR" usage:"listen address of /metrics (Prometheus) and /debug/pprof; keep it on loopback or a private network; empty: off"`
	// OnDebugReady, when set, is called with the debug listener's base
	// URL once it is bound (tests listen on port 0).
	OnDebugReady func(debugURL string)
	Batch        Batch
	// StageConfigs configure the worker's stages (the others' are unused).
	StageConfigs
	// Local is where the stages keep state on the worker's own disk.
	Local Local
	// WebhookAPI is the webhook sink's endpoint API (Addr empty: none).
	WebhookAPI WebhookAPI
	Logger     *slog.Logger
}

// Local is a worker's own disk: the webhook sink keeps its endpoint
// registry and delivery log in DataDir/webhooks and its attribution index
// in DataDir/attribution, owned by this one process.
type Local struct {
	DataDir string `flag:"data-dir" env:"CLICKTRAIL_DATA_DIR" usage:"directory of the pebble link store and the durable click spool"`
}

// DefaultWorker is the config of worker name the CLI starts from.
func DefaultWorker(name string) Worker {
	return Worker{Name: name, Kafka: DefaultKafka(), Batch: DefaultBatch(), StageConfigs: DefaultStageConfigs(),
		Local: Local{DataDir: ".local/dev"}, WebhookAPI: WebhookAPI{Production: true}}
}

// Workers returns the names of the Kafka workers, in the list's order.
func Workers() []string {
	var names []string
	for _, s := range Stages() {
		if !slices.Contains(names, s.Worker) {
			names = append(names, s.Worker)
		}
	}
	return names
}

// RunWorker runs the stages of worker cfg.Name on Kafka: it creates the
// topics, opens the stages (each opens what it writes to: ClickHouse, the
// webhook registry in Local.DataDir, ...) and runs a consumer group per
// input, each committing a batch only once the stage's output of it is
// durable (Kafka acknowledged it, ClickHouse took it, every webhook
// attempt was delivered or durably parked), until ctx ends.
func RunWorker(ctx context.Context, cfg Worker) (err error) {
	defer func() { err = explainLocked(cfg.Local.DataDir, err) }()
	list := workerStages(cfg.Name)
	if len(list) == 0 {
		return fmt.Errorf("worker %q: no such worker (have %v)", cfg.Name, Workers())
	}
	if err := cfg.Kafka.validate(); err != nil {
		return fmt.Errorf("%s config: %w", cfg.Name, err)
	}
	log := logs.OrDiscard(cfg.Logger)
	reg := metrics.New()
	var debugLn net.Listener
	if cfg.DebugAddr != "" {
		if debugLn, err = listen("debug", cfg.DebugAddr); err != nil {
			return err
		}
		defer debugLn.Close() // closed by its server once served: error expected
	}
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-"+strings.ReplaceAll(cfg.Name, " ", "-"), log)
	kcfg.Hooks = reg.KafkaHooks
	if err := ensureTopics(ctx, cfg.Kafka, kcfg); err != nil {
		return err
	}
	group := cfg.Group
	if group == "" {
		group = list[0].Group
	}
	producer, err := ingest.NewKafkaProducer(kcfg)
	if err != nil {
		return fmt.Errorf("kafka producer: %w", err)
	}
	defer producer.Close()
	env := StageEnv{Out: reg.DeadLetters(producer), Topic: cfg.Kafka.Topic, DataDir: cfg.Local.DataDir, Logger: log, Metrics: reg,
		StageConfigs: cfg.StageConfigs, WebhookAPI: cfg.WebhookAPI,
		EnsureTopics: func(ctx context.Context, specs ...ingest.TopicSpec) error {
			return ingest.EnsureTopics(ctx, kcfg, specs...)
		}}
	opened, closeStages, err := openStages(ctx, list, env)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.Name, err)
	}
	defer func() { err = errors.Join(err, closeStages()) }()
	g := newGroup(ctx)
	batch := cfg.Batch.options()
	var lag kafkaLagCollector
	// A consumer holds nothing until Run, so none needs closing on error.
	err = runStages(g, opened, cfg.Kafka.Topic, reg, func(in BoundInput) (record.Consumer, error) {
		c, err := ingest.NewKafkaConsumer(kcfg, group+in.GroupSuffix, in.Topic, batch)
		if err != nil {
			return nil, fmt.Errorf("kafka consumer of %s (group %s): %w", in.Topic, group+in.GroupSuffix, err)
		}
		lag.consumers = append(lag.consumers, c)
		return c, nil
	})
	if err != nil {
		g.cancel()
		return errors.Join(err, g.Wait())
	}
	reg.MustRegister(lag)
	if debugLn != nil {
		serveDebug(g, debugLn, reg, cfg.OnDebugReady, log)
	}
	return g.Wait()
}

// Migrate applies the ClickHouse DDL and returns the server's version.
func Migrate(ctx context.Context, cfg clickhouse.Config, log *slog.Logger) (string, error) {
	res, err := MigrateSchema(ctx, cfg, log)
	return res.ServerVersion, err
}

// MigrateResult is what MigrateSchema did.
type MigrateResult struct {
	ServerVersion string
	// Applied are the migrations this run applied, "<version> <name>", in
	// order; empty when the schema was already up to date.
	Applied []string
}

// MigrateSchema applies the ClickHouse DDL's migrations not applied yet
// and says which it applied.
func MigrateSchema(ctx context.Context, cfg clickhouse.Config, log *slog.Logger) (MigrateResult, error) {
	if cfg.DSN == "" {
		return MigrateResult{}, errors.New("clickhouse-dsn: required")
	}
	w, err := openClickHouse(ctx, cfg, logs.OrDiscard(log), false)
	if err != nil {
		return MigrateResult{}, err
	}
	defer w.Close()
	res := MigrateResult{ServerVersion: w.ServerVersion().String()}
	err = w.Migrate(ctx, clickhouse.MigrateOptions{OnApplied: func(version uint32, name string) {
		res.Applied = append(res.Applied, fmt.Sprintf("%d %s", version, name))
	}})
	if err != nil {
		return res, fmt.Errorf("clickhouse migrate: %w", err)
	}
	return res, nil
}

func openClickHouse(ctx context.Context, cfg clickhouse.Config, log *slog.Logger, migrate bool) (*clickhouse.Writer, error) {
	w, err := clickhouse.Open(ctx, cfg, log)
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
