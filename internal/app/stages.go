package app

import (
	"context"
	"log/slog"

	"github.com/clicktrail/clicktrail/attribution"
	"github.com/clicktrail/clicktrail/enrich"
	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/metrics"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
	"github.com/clicktrail/clicktrail/sinks/crm"
	crmstage "github.com/clicktrail/clicktrail/sinks/crm/stage"
	"github.com/clicktrail/clicktrail/sinks/webhook"
	whstage "github.com/clicktrail/clicktrail/sinks/webhook/stage"
)

// Stage is one entry of the stage list (Stages): what a stage reads, under
// which consumer groups, which worker runs it, and how it is opened. The
// embedded `clicktrail dev` (runOnSpool) and the Kafka workers (runOnKafka)
// run what this list says, and the CLI takes each worker's flags from it; neither wires a stage by hand.
type Stage struct {
	Name string
	// Usage says what the stage does, in the help of its worker command.
	Usage string
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
	// Config returns the stage's config inside c: its package's own
	// Config (or a struct of them), whose tagged fields are the stage's
	// flags in dev and in its worker (cmd/clicktrail, internal/cliflag).
	// Nil: the stage has no config.
	Config func(c *StageConfigs) any
	// WorkerConfig returns what only the stage's Kafka worker configures
	// (state on its own disk, a server of its own), pointers into w; their
	// tagged fields are flags of the worker command only. Nil: nothing.
	WorkerConfig func(w *Worker) []any
	// Open opens the stage's package with its config (from env) and
	// returns its handlers.
	Open func(ctx context.Context, env StageEnv) (*Opened, error)
}

// StageConfigs are the configs of the stages of the list, each field its
// package's own config, embedded rather than copied: what the CLI's flags
// set (by the fields' tags) is what the package gets. A new stage with a
// config adds its field here.
type StageConfigs struct {
	Enrich      enrich.Config
	ClickHouse  clickhouse.Config // DSN empty: dev writes <data-dir>/clicks.jsonl, the worker refuses to start
	Webhooks    Webhooks
	Attribution attribution.Config
	CRM         crmstage.Options
}

// DefaultStageConfigs returns the configs with the defaults the CLI shows
// (zero fields take their package's defaults when opened).
func DefaultStageConfigs() StageConfigs {
	return StageConfigs{
		Webhooks:    Webhooks{Registry: webhook.RegistryConfig{Retention: webhook.DefaultRetention}},
		Attribution: attribution.DefaultConfig(),
		CRM:         crmstage.Options{Timeout: crmstage.DefaultTimeout, AttemptBudget: crmstage.DefaultAttemptBudget},
	}
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
	Out      record.Producer                     // the spool (dev) or a Kafka producer
	Topic    func(string) string                 // a schemas topic's full name
	DataDir  string                              // where stages keep local state (webhooks/, attribution/, clicks.jsonl)
	ShortURL func(*schemas.EnrichedClick) string // nil: https://domain/path
	Logger   *slog.Logger
	StageConfigs
	// Embedded is set by dev: the ClickHouse schema is migrated at open,
	// and without a DSN clicks go to <data-dir>/clicks.jsonl.
	Embedded bool
	// Hooks is the webhook registry and deliverer when the process opened
	// them (dev mounts their API before the stage exists); nil: the
	// webhook stage opens its own in DataDir.
	Hooks *webhookRuntime
	// CRMRegistry is the CRM integrations of dev (its API is mounted);
	// nil: the CRM stage opens its own in DataDir.
	CRMRegistry *crm.Registry
	// WebhookAPI is the webhook worker's own endpoint API (Addr empty:
	// none).
	WebhookAPI WebhookAPI
	// EnsureTopics creates topics a stage knows only once open (Kafka;
	// nil on the spool, whose topics need no creating).
	EnsureTopics func(ctx context.Context, specs ...ingest.TopicSpec) error
	// Metrics is the process's registry: a stage wraps what it delivers
	// with (internal/metrics: SinkWriter, Deliveries) under its
	// component's names (docs/metrics.md). Nil records nothing. Batches,
	// dead letters and consumer lag are counted for every stage already.
	Metrics *metrics.Registry
}

// Stages is the one list of clicktrail's stages. Adding a stage (a CRM
// sink, say) is its package plus one entry here.
func Stages() []Stage {
	return []Stage{
		{Name: "enrich", Worker: "enrich", Group: defaultEnrichGroup,
			Usage:  "consume raw clicks from Kafka, enrich them, produce enriched clicks",
			Reads:  []Input{{Topic: rawTopic, SpoolGroup: "enrich"}},
			Writes: []string{enrichedTopic},
			Config: func(c *StageConfigs) any { return &c.Enrich },
			Open:   openEnrich},
		{Name: "sink clickhouse", Worker: "sink clickhouse", Group: defaultSinkGroup,
			Usage: "consume enriched clicks from Kafka and insert them into ClickHouse in batches",
			Reads: []Input{
				{Topic: enrichedTopic, SpoolGroup: "sink"},
				// attributed conversions ride the link events topic; their own
				// group keeps a conversions table that lags from holding clicks back
				{Topic: schemas.TopicLinkEvents, GroupSuffix: "-conversions", SpoolGroup: "sink-conversions"},
			},
			Config: func(c *StageConfigs) any { return &c.ClickHouse },
			Open:   openClickSink},
		{Name: "webhooks", Worker: "sink webhook", Group: defaultWebhookGroup,
			Usage: "consume enriched clicks and the webhook retry topic from Kafka and deliver signed webhooks " +
				"to the endpoints registered in <data-dir>/webhooks",
			Reads: []Input{
				{Topic: enrichedTopic, SpoolGroup: "webhooks"},
				{Topic: schemas.TopicLinkEvents, GroupSuffix: "-link-events", SpoolGroup: "webhooks"},
			},
			Writes:       []string{whstage.RetryTopic + ".<step>", whstage.DLQTopic},
			Webhooks:     true,
			Config:       func(c *StageConfigs) any { return &c.Webhooks },
			WorkerConfig: func(w *Worker) []any { return []any{&w.Local, &w.WebhookAPI} },
			Open:         openWebhookStage},
		{Name: "attribution", Worker: "sink webhook", Group: defaultWebhookGroup,
			Usage: "attribute conversions to clicks (<data-dir>/attribution)",
			Reads: []Input{
				{Topic: enrichedTopic, GroupSuffix: "-attribution", SpoolGroup: "attribution"},
				{Topic: conversionsTopic, GroupSuffix: "-conversions", SpoolGroup: "attribution"},
			},
			Writes:       []string{schemas.TopicLinkEvents},
			Webhooks:     true,
			Config:       func(c *StageConfigs) any { return &c.Attribution },
			WorkerConfig: func(w *Worker) []any { return []any{&w.Local} },
			Open:         openAttributionStage},
		{Name: "crm", Worker: "sink crm", Group: defaultCRMGroup,
			Usage: "write the clicks of known contacts and attributed conversions to the workspaces' CRMs " +
				"(HubSpot, Salesforce, Pipedrive; integrations in <data-dir>/crm)",
			Reads: []Input{
				{Topic: enrichedTopic, SpoolGroup: "crm"},
				{Topic: schemas.TopicLinkEvents, GroupSuffix: "-link-events", SpoolGroup: "crm"},
			},
			Writes:       []string{crmstage.RetryTopic + ".<step>", crmstage.DLQTopic},
			Config:       func(c *StageConfigs) any { return &c.CRM },
			WorkerConfig: func(w *Worker) []any { return []any{&w.Local} },
			Open:         openCRMStage},
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
