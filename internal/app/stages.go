package app

import (
	"context"
	"log/slog"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/schemas"
	chstage "github.com/clicktrail/clicktrail/sinks/clickhouse/stage"
	whstage "github.com/clicktrail/clicktrail/sinks/webhook/stage"
)

// Stage is one entry of the stage list (Stages): what a stage reads, under
// which consumer groups, which worker runs it, and how it is opened. The
// embedded `clicktrail dev` (runOnSpool) and the Kafka workers (runOnKafka)
// run what this list says, and the CLI takes each worker's flags from it; neither wires a stage by hand.
type Stage struct {
	Name string
	// Worker is the command of the Kafka worker that runs the stage
	// ("enrich", "sink clickhouse", "sink webhook"); stages with the same
	// worker run in one process.
	Worker string
	// Group is the worker's default consumer group (its --group); each
	// input's group is Group plus the input's GroupSuffix.
	Group string
	// Reads are the stage's inputs, in the order of Opened.Handlers.
	Reads []Input
	// Writes are the topics it produces to, besides the dead-letter
	// topics of what it reads.
	Writes []string
	// Webhooks marks the stages of webhook delivery, which dev runs
	// unless Webhooks.Disabled.
	Webhooks bool
	// Open opens the stage's package with its config (from env) and
	// returns its handlers.
	Open func(ctx context.Context, env StageEnv) (*Opened, error)
}

// Input is a topic a stage reads.
type Input struct {
	Topic       string // one of schemas' topics, before the deployment's prefix
	GroupSuffix string // Kafka: the consumer group is the worker's group plus this
	SpoolGroup  string // dev: the spool consumer's group
}

// Opened is an opened stage: Handlers[i] handles Reads[i] (nil: this
// process does not read it), More are inputs known only once the stage's
// config is (the webhook stage's per-step retry topics, full names), Tasks
// run beside the consumers, and Close releases what Open took.
type Opened struct {
	Handlers []record.Handler
	More     []BoundInput
	Tasks    []Task
	Close    func() error
}

// BoundInput is an input with its handler and its topic's full name.
type BoundInput struct {
	Input
	Handler record.Handler
}

// Task is a loop a stage runs beside its consumers (a sweeper, a clock).
type Task struct {
	Name string
	Run  func(ctx context.Context) error
}

// StageEnv is what a process gives the stages it opens: where their
// output goes, the deployment's topic names, their configs and the
// resources several stages share.
type StageEnv struct {
	Out      record.Producer     // the spool (dev) or a Kafka producer
	Topic    func(string) string // a schemas topic's full name
	DataDir  string
	ShortURL func(*schemas.EnrichedClick) string // nil: https://domain/path
	Logger   *slog.Logger
	Enrich   Enrich
	Webhooks Webhooks
	// Clicks stores enriched clicks and, when it also stores
	// conversions, Conversions is set (ClickHouse); dev without
	// ClickHouse writes the clicks file and keeps no conversions.
	Clicks      handler.ClickWriter
	Conversions chstage.ConversionWriter
	// Hooks is the webhook registry and deliverer, opened by the process
	// (dev mounts its API before the stage exists).
	Hooks *webhookRuntime
}

// Stages is the one list of clicktrail's stages. Adding a stage (a CRM
// sink, say) is its package plus one entry here.
func Stages() []Stage {
	return []Stage{
		{Name: "enrich", Worker: "enrich", Group: defaultEnrichGroup,
			Reads:  []Input{{Topic: rawTopic, SpoolGroup: "enrich"}},
			Writes: []string{enrichedTopic},
			Open:   openEnrich},
		{Name: "sink clickhouse", Worker: "sink clickhouse", Group: defaultSinkGroup,
			Reads: []Input{
				{Topic: enrichedTopic, SpoolGroup: "sink"},
				// attributed conversions ride the link events topic; their own
				// group keeps a conversions table that lags from holding clicks back
				{Topic: schemas.TopicLinkEvents, GroupSuffix: "-conversions", SpoolGroup: "sink-conversions"},
			},
			Open: openClickSink},
		{Name: "webhooks", Worker: "sink webhook", Group: defaultWebhookGroup,
			Reads: []Input{
				{Topic: enrichedTopic, SpoolGroup: "webhooks"},
				{Topic: schemas.TopicLinkEvents, GroupSuffix: "-link-events", SpoolGroup: "webhooks"},
			},
			Writes:   []string{whstage.RetryTopic + ".<step>", whstage.DLQTopic},
			Webhooks: true,
			Open:     openWebhookStage},
		{Name: "attribution", Worker: "sink webhook", Group: defaultWebhookGroup,
			Reads: []Input{
				{Topic: enrichedTopic, GroupSuffix: "-attribution", SpoolGroup: "attribution"},
				{Topic: conversionsTopic, GroupSuffix: "-conversions", SpoolGroup: "attribution"},
			},
			Writes:   []string{schemas.TopicLinkEvents},
			Webhooks: true,
			Open:     openAttributionStage},
	}
}

// workerStages returns the stages of the Kafka worker named worker.
func workerStages(worker string) []Stage {
	var out []Stage
	for _, s := range Stages() {
		if s.Worker == worker {
			out = append(out, s)
		}
	}
	return out
}
