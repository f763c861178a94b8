package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/linkapi"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/internal/keyclient"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/pipeline"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// defaultWebhookGroup is the consumer group of the webhook sink; its retry
// consumer uses the group name plus "-retry".
const defaultWebhookGroup = "clicktrail-sink-webhook"

// webhookRetention keeps parked retries past the schedule's 28 hours.
const webhookRetention = 7 * 24 * time.Hour

// Webhooks configures webhook delivery, in dev and in the webhook sink.
type Webhooks struct {
	// Disabled turns the stage off (dev only).
	Disabled bool
	// AllowPrivate lets endpoints resolve to private and loopback
	// addresses: tests and local development only.
	AllowPrivate bool
	// Production refuses http:// endpoint URLs.
	Production bool
	// Timeout bounds each attempt; zero means webhook.DefaultTimeout.
	Timeout time.Duration
	// AttemptBudget is how long a batch waits for its attempts before
	// those unfinished are parked on the retry topics (ADR 005); zero means
	// pipeline.DefaultAttemptBudget.
	AttemptBudget time.Duration
	// Dispatcher bounds each endpoint's concurrent attempts and queue;
	// zero fields take webhook.DefaultConcurrency and DefaultQueueLen.
	Dispatcher webhook.DispatcherConfig
	// Schedule is the retry schedule; zero means webhook.DefaultSchedule.
	Schedule webhook.Schedule
	// Retention is how long the delivery log keeps attempts and message
	// bodies (swept hourly); zero means webhook.DefaultRetention.
	Retention time.Duration
	// AttributionWindow and AttributionWait configure the attribution of
	// conversions (attribution.Config's Window and PendingFor); zero means the
	// crm defaults.
	AttributionWindow, AttributionWait time.Duration
}

// WebhookSink is the webhook delivery stage as a Kafka consumer group. Its
// endpoint registry and delivery log live in DataDir/webhooks, owned by
// this one process.
type WebhookSink struct {
	Kafka    Kafka
	Group    string
	DataDir  string
	Webhooks Webhooks
	Batch    Batch
	Logger   *slog.Logger
	// APIAddr, when set, serves the endpoint API (/v1/webhooks/...) of
	// this sink's registry on its own listener, behind APIKeys.
	APIAddr string
	// APIKeys are the bearer keys of the endpoint API (the deployment's
	// bootstrap keys, as given to the link API): each acts in the default
	// workspace. Required with APIAddr.
	APIKeys []string
	// LinkAPIURL, when set, is the link API (a redirect node's API
	// address) that vouches for the keys of the endpoint API: any key of
	// any workspace with the webhooks scopes works there, acting in its
	// workspace (keyauth.go). Without it only APIKeys work, in the
	// default workspace.
	LinkAPIURL string
	// OnAPIReady, when set, is called with the endpoint API's base URL
	// once it listens (tests listen on port 0).
	OnAPIReady func(apiURL string)
	// SecretKeys seal the endpoints' signing secrets at rest; see
	// RedirectNode.SecretKeys.
	SecretKeys []string
}

// webhookRuntime is the registry, deliverer and stage of one process.
type webhookRuntime struct {
	reg   *webhook.Registry
	send  *webhook.Deliverer
	stage *pipeline.Webhooks
}

// openWebhookRegistry opens DataDir/webhooks and the deliverer; the stage
// comes later (withStage), once the producer it parks retries on exists.
func openWebhookRegistry(dataDir string, secretKeys []string, cfg Webhooks, log *slog.Logger) (*webhookRuntime, error) {
	ring, err := secretRing(dataDir, secretKeys)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: filepath.Join(dataDir, "webhooks"), Retention: cfg.Retention,
		Secrets: ring, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	send, err := webhook.NewDeliverer(webhook.Config{AllowPrivate: cfg.AllowPrivate, Timeout: cfg.Timeout}, log)
	if err != nil {
		reg.Close()
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return &webhookRuntime{reg: reg, send: send}, nil
}

func (rt *webhookRuntime) withStage(cfg Webhooks, out ingest.Producer, k Kafka, shortURL func(*schemas.EnrichedClick) string, log *slog.Logger) error {
	stage, err := pipeline.NewWebhooks(pipeline.WebhookConfig{
		Registry: rt.reg, Sender: rt.send, Out: out, Schedule: cfg.Schedule, ShortURL: shortURL,
		AttemptBudget: cfg.AttemptBudget, Dispatcher: cfg.Dispatcher,
		RetryTopic: k.Topic(pipeline.WebhookRetryTopic), DLQTopic: k.Topic(pipeline.WebhookDLQTopic), Logger: log,
	})
	if err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	rt.stage = stage
	return nil
}

// api returns the endpoint API for mounting at "/v1/webhooks/" behind the
// link API's authentication: each request acts in its principal's
// workspace. Replays go through the stage, which must be set before the
// API serves.
func (rt *webhookRuntime) api(cfg Webhooks, log *slog.Logger) (http.Handler, error) {
	return rt.apiIn(cfg, requestWorkspace, log)
}

// apiIn is api with the workspace of each request given by workspace.
func (rt *webhookRuntime) apiIn(cfg Webhooks, workspace func(*http.Request) (string, error), log *slog.Logger) (http.Handler, error) {
	h, err := webhook.NewAPI(webhook.APIConfig{
		Registry: rt.reg, Production: cfg.Production, AllowPrivate: cfg.AllowPrivate, Logger: log,
		Workspace: workspace,
		Replay: func(ctx context.Context, ep webhook.Endpoint, msgs []webhook.Message) error {
			return rt.stage.Replay(ctx, ep, msgs)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return h, nil
}

// requestWorkspace is the workspace of an authenticated link API request.
func requestWorkspace(r *http.Request) (string, error) {
	p, ok := linkapi.PrincipalFrom(r.Context())
	if !ok {
		return "", errors.New("request is not authenticated")
	}
	return p.WorkspaceID, nil
}

// runDev starts the stage's consumers on the dev spool in g: enriched
// clicks, link events, every retry topic, and the alert clock.
func (rt *webhookRuntime) runDev(g *group, spool *ingest.Spool, k Kafka, batch ingest.BatchOptions) {
	clicksIn := spool.Consumer("webhooks", k.Topic(enrichedTopic), batch)
	g.Go("webhooks", func(ctx context.Context) error { return clicksIn.Run(ctx, rt.stage.Clicks()) })
	linksIn := spool.Consumer("webhooks", k.Topic(schemas.TopicLinkEvents), batch)
	g.Go("webhook link events", func(ctx context.Context) error { return linksIn.Run(ctx, rt.stage.LinkEvents()) })
	for _, topic := range rt.stage.RetryTopics() {
		retryIn := spool.Consumer("webhooks-retry", topic, batch)
		g.Go("webhook retries "+topic, func(ctx context.Context) error { return retryIn.Run(ctx, rt.stage.Retries()) })
	}
	g.Go("webhook alert clock", rt.stage.RunAlertClock)
	g.Go("webhook log sweeper", func(ctx context.Context) error { return rt.reg.RunSweeper(ctx, 0) })
}

// linkEventTimeout bounds writing one link event.
const linkEventTimeout = 5 * time.Second

// publishJobEvents returns the bulk job runner's OnJobEvent callback: the
// job's end (job.succeeded or job.failed, its data the job) goes to topic
// on out as a schemas.LinkEvent keyed by job id, for the workspace's
// endpoints.
func publishJobEvents(out ingest.Producer, topic string, log *slog.Logger) func(string, *linkapi.Job) {
	log = logs.OrDiscard(log)
	return func(typ string, j *linkapi.Job) {
		data, err := json.Marshal(j)
		if err == nil {
			rec := pipeline.LinkEventRecord(topic, j.ID, schemas.LinkEvent{ID: uuid.Must(uuid.NewV7()).String(), Type: typ,
				Time: time.Now(), WorkspaceID: j.WorkspaceID, Data: data})
			ctx, cancel := context.WithTimeout(context.Background(), linkEventTimeout)
			err = out.Produce(ctx, []ingest.Record{rec})
			cancel()
		}
		if err != nil {
			log.Error("job event lost", "type", typ, "job", j.ID, "err", err)
		}
	}
}

// close waits (bounded) for running attempts, then releases everything.
func (rt *webhookRuntime) close() error {
	var errs []error
	if rt.stage != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		errs = append(errs, rt.stage.Close(ctx))
		cancel()
	}
	rt.send.Close()
	errs = append(errs, rt.reg.Close())
	return errors.Join(errs...)
}

// RunWebhookSink consumes enriched clicks, link events and the webhook
// retry topics and delivers to the endpoints in DataDir/webhooks,
// and attributes conversions to clicks (DataDir/attribution; its
// conversion.attributed events go through the link events topic),
// committing each batch only once every attempt of it was delivered or
// durably parked. It also runs the alert clock (digests when no click
// comes) and the delivery log's retention sweep.
//
// With APIAddr set it serves the endpoint API of its registry there (see
// sinkAPI): the registry is this process's, so endpoints are managed
// where they are delivered from.
func RunWebhookSink(ctx context.Context, cfg WebhookSink) (err error) {
	if err := cfg.Kafka.validate(); err != nil {
		return fmt.Errorf("webhook sink config: %w", err)
	}
	if cfg.DataDir == "" {
		return errors.New("webhook sink config: data-dir: required")
	}
	log := logs.OrDiscard(cfg.Logger)
	group := cfg.Group
	if group == "" {
		group = defaultWebhookGroup
	}
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-sink-webhook", log)
	if err := ensureTopics(ctx, cfg.Kafka, kcfg); err != nil {
		return err
	}
	rt, err := openWebhookRegistry(cfg.DataDir, cfg.SecretKeys, cfg.Webhooks, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rt.close()) }()
	producer, err := ingest.NewKafkaProducer(kcfg)
	if err != nil {
		return fmt.Errorf("kafka producer: %w", err)
	}
	defer producer.Close()
	if err := rt.withStage(cfg.Webhooks, producer, cfg.Kafka, nil, log); err != nil {
		return err
	}
	specs := []ingest.TopicSpec{
		{Name: cfg.Kafka.Topic(pipeline.WebhookDLQTopic), RetentionMs: ingest.DeadLetterRetention.Milliseconds()},
		{Name: cfg.Kafka.Topic(schemas.TopicLinkEvents), RetentionMs: webhookRetention.Milliseconds()},
	}
	for _, t := range rt.stage.RetryTopics() {
		specs = append(specs, ingest.TopicSpec{Name: t, RetentionMs: webhookRetention.Milliseconds()})
	}
	if err := ingest.EnsureTopics(ctx, kcfg, specs...); err != nil {
		return fmt.Errorf("ensure webhook topics: %w", err)
	}
	clicks, err := ingest.NewKafkaConsumer(kcfg, group, cfg.Kafka.Topic(enrichedTopic), cfg.Batch.options())
	if err != nil {
		return fmt.Errorf("kafka consumer: %w", err)
	}
	// One group per retry topic, each waiting for its own due times. A
	// consumer holds nothing until Run, so none needs closing on error.
	var retries []*ingest.KafkaConsumer
	for i, topic := range rt.stage.RetryTopics() {
		c, err := ingest.NewKafkaConsumer(kcfg, fmt.Sprintf("%s-retry-%d", group, i), topic, cfg.Batch.options())
		if err != nil {
			return fmt.Errorf("kafka retry consumer of %s: %w", topic, err)
		}
		retries = append(retries, c)
	}
	links, err := ingest.NewKafkaConsumer(kcfg, group+"-link-events", cfg.Kafka.Topic(schemas.TopicLinkEvents), cfg.Batch.options())
	if err != nil {
		return fmt.Errorf("kafka link events consumer: %w", err)
	}
	attr, err := openAttribution(cfg.DataDir, cfg.Webhooks, producer, cfg.Kafka.Topic(schemas.TopicLinkEvents), nil, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, attr.close()) }()
	attrClicks, err := ingest.NewKafkaConsumer(kcfg, group+"-attribution", cfg.Kafka.Topic(enrichedTopic), cfg.Batch.options())
	if err != nil {
		return fmt.Errorf("kafka attribution consumer: %w", err)
	}
	conversions, err := ingest.NewKafkaConsumer(kcfg, group+"-conversions", cfg.Kafka.Topic(conversionsTopic), cfg.Batch.options())
	if err != nil {
		return fmt.Errorf("kafka conversions consumer: %w", err)
	}
	var apiH http.Handler
	if cfg.APIAddr != "" {
		if apiH, err = rt.sinkAPI(cfg, log); err != nil {
			return fmt.Errorf("webhook sink config: %w", err)
		}
	}
	g := newGroup(ctx)
	if apiH != nil {
		ln, err := listen("webhook api", cfg.APIAddr)
		if err != nil {
			return err
		}
		g.Go("webhook api server", func(ctx context.Context) error { return serve(ctx, ln, apiH, log) })
		if cfg.OnAPIReady != nil {
			cfg.OnAPIReady("http://" + hostForURL(ln.Addr().String()))
		}
	}
	g.Go("webhook clicks", func(ctx context.Context) error { return clicks.Run(ctx, rt.stage.Clicks()) })
	g.Go("webhook link events", func(ctx context.Context) error { return links.Run(ctx, rt.stage.LinkEvents()) })
	g.Go("webhook alert clock", rt.stage.RunAlertClock)
	g.Go("webhook log sweeper", func(ctx context.Context) error { return rt.reg.RunSweeper(ctx, 0) })
	attr.run(g, attrClicks, conversions)
	for i, c := range retries {
		g.Go(fmt.Sprint("webhook retries ", i), func(ctx context.Context) error { return c.Run(ctx, rt.stage.Retries()) })
	}
	return g.Wait()
}

// sinkAPI returns the endpoint API of a webhook sink: the webhook API
// behind a bearer-key guard, every request acting in the default
// workspace.
//
// With LinkAPIURL the customers' own keys work here (the link API vouches
// for them, see package keyclient). Without it the sink accepts only the
// deployment's bootstrap keys, in the default workspace: an operator's
// tool.
func (rt *webhookRuntime) sinkAPI(cfg WebhookSink, log *slog.Logger) (http.Handler, error) {
	if cfg.LinkAPIURL != "" {
		keys, err := keyclient.New(keyclient.Config{LinkAPIURL: cfg.LinkAPIURL,
			ReadScope: tenancy.ScopeWebhooksRead, WriteScope: tenancy.ScopeWebhooksWrite})
		if err != nil {
			return nil, err
		}
		h, err := rt.apiIn(cfg.Webhooks, keyclient.Workspace, log)
		if err != nil {
			return nil, err
		}
		return keys.Guard(h), nil
	}
	if len(cfg.APIKeys) == 0 {
		return nil, errors.New("api-key: at least one is required with api-addr")
	}
	sums := make([][sha256.Size]byte, len(cfg.APIKeys))
	for i, k := range cfg.APIKeys {
		if len(k) < linkapi.MinAPIKeyLen {
			return nil, fmt.Errorf("api-key[%d]: want at least %d characters", i, linkapi.MinAPIKeyLen)
		}
		sums[i] = sha256.Sum256([]byte(k))
	}
	h, err := rt.apiIn(cfg.Webhooks, func(*http.Request) (string, error) { return webhook.DefaultWorkspace, nil }, log)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, found := linkapi.BearerToken(r)
		sum := sha256.Sum256([]byte(token))
		ok := 0
		for i := range sums { // every key, so the time says nothing of which matched
			ok |= subtle.ConstantTimeCompare(sum[:], sums[i][:])
		}
		if !found || ok == 0 {
			keyclient.Unauthorized(w)
			return
		}
		h.ServeHTTP(w, r)
	}), nil
}
