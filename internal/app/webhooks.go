package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
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
	// Schedule is the retry schedule; zero means webhook.DefaultSchedule.
	Schedule webhook.Schedule
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
}

// webhookRuntime is the registry, deliverer and stage of one process.
type webhookRuntime struct {
	reg   *webhook.Registry
	send  *webhook.Deliverer
	stage *pipeline.Webhooks
}

// openWebhookRegistry opens DataDir/webhooks and the deliverer; the stage
// comes later (withStage), once the producer it parks retries on exists.
func openWebhookRegistry(dataDir string, cfg Webhooks, log *slog.Logger) (*webhookRuntime, error) {
	reg, err := webhook.OpenRegistry(webhook.RegistryConfig{Dir: filepath.Join(dataDir, "webhooks"), Logger: log})
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
		RetryTopic: k.Topic(pipeline.WebhookRetryTopic), DLQTopic: k.Topic(pipeline.WebhookDLQTopic), Logger: log,
	})
	if err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	rt.stage = stage
	return nil
}

// api returns the endpoint API for mounting at "/v1/webhooks/". Replays go
// through the stage, which must be set before the API serves.
func (rt *webhookRuntime) api(cfg Webhooks, log *slog.Logger) (http.Handler, error) {
	h, err := webhook.NewAPI(webhook.APIConfig{
		Registry: rt.reg, Production: cfg.Production, AllowPrivate: cfg.AllowPrivate, Logger: log,
		Replay: func(ctx context.Context, ep webhook.Endpoint, msgs []webhook.Message) error {
			return rt.stage.Replay(ctx, ep, msgs)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return h, nil
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

// RunWebhookSink consumes enriched clicks and the webhook retry topics and
// delivers to the endpoints in DataDir/webhooks, committing each batch only
// once every attempt of it was delivered or durably parked.
//
// The endpoint API is not served by this command yet: endpoints are
// managed where the registry lives (dev mounts the API on the link API).
func RunWebhookSink(ctx context.Context, cfg WebhookSink) (err error) {
	if err := cfg.Kafka.validate(); err != nil {
		return fmt.Errorf("webhook sink config: %w", err)
	}
	if cfg.DataDir == "" {
		return errors.New("webhook sink config: data-dir: required")
	}
	log := orDiscard(cfg.Logger)
	group := cfg.Group
	if group == "" {
		group = defaultWebhookGroup
	}
	kcfg := kafkaConfig(cfg.Kafka, "clicktrail-sink-webhook", log)
	if err := ensureTopics(ctx, cfg.Kafka, kcfg); err != nil {
		return err
	}
	rt, err := openWebhookRegistry(cfg.DataDir, cfg.Webhooks, log)
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
	specs := []ingest.TopicSpec{{Name: cfg.Kafka.Topic(pipeline.WebhookDLQTopic), RetentionMs: ingest.DeadLetterRetention.Milliseconds()}}
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
	g := newGroup(ctx)
	g.Go("webhook clicks", func(ctx context.Context) error { return clicks.Run(ctx, rt.stage.Clicks()) })
	for i, c := range retries {
		g.Go(fmt.Sprint("webhook retries ", i), func(ctx context.Context) error { return c.Run(ctx, rt.stage.Retries()) })
	}
	return g.Wait()
}
