package stage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/retry"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// Topics of the webhook stage (before any deployment prefix).
const (
	RetryTopic = "webhooks.retry.v1"
	DLQTopic   = "webhooks.dlq.v1"
)

// Headers of the records on the retry and dead-letter topics; the value is
// the message body.
const (
	HeaderWebhookEndpoint  = "webhook.endpoint"
	HeaderWebhookMessage   = "webhook.message_id"
	HeaderWebhookType      = "webhook.type"
	HeaderWebhookAttempt   = "webhook.attempt"    // the attempt to make next, 1-based
	HeaderWebhookNotBefore = "webhook.not_before" // unix milliseconds
)

// DefaultAttemptBudget is Config.AttemptBudget's default: the
// freshness target of a webhook (click to delivered, p99).
const DefaultAttemptBudget = time.Second

// Config configures the webhook delivery stage.
type Config struct {
	Registry *webhook.Registry // required
	Sender   webhook.Sender    // required: a *webhook.Deliverer
	// Out receives parked retries and dead letters; its Produce must
	// return nil only once they are durable (the spool, or Kafka with
	// acks=all). Required.
	Out record.Producer
	// RetryTopic is the retry topic of attempts due at once, and the
	// prefix of the per-step retry topics (see RetryTopics); default
	// RetryTopic.
	RetryTopic string
	DLQTopic   string // default DLQTopic
	// Schedule is the retry schedule; zero means webhook.DefaultSchedule.
	Schedule webhook.Schedule
	// Dispatcher bounds per-endpoint concurrency and queues. A message
	// that finds its endpoint's queue full is parked at once.
	Dispatcher webhook.DispatcherConfig
	// AttemptBudget is how long a handler waits for the attempts of its
	// batch; those unfinished by then are parked on the retry topic and
	// their endpoints are slow until one of their attempts answers within
	// it (see Stage). It bounds what a hanging endpoint costs the
	// others: one budget, once each time it turns slow. Default
	// DefaultAttemptBudget; endpoints that answer slower than it get their
	// messages through the retry schedule.
	AttemptBudget time.Duration
	// ShortURL gives a click's short URL for payloads; nil means
	// https://domain/path.
	ShortURL func(*schemas.EnrichedClick) string
	// AlertFlushEvery is how often RunAlertClock sends due digests;
	// default DefaultAlertFlushEvery.
	AlertFlushEvery time.Duration
	// AlertFlushLag is how far behind the clock RunAlertClock's watermark
	// runs; default DefaultAlertFlushLag.
	AlertFlushLag time.Duration
	// Now is the clock of not-before times; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
}

func (c Config) withDefaults() Config {
	if c.RetryTopic == "" {
		c.RetryTopic = RetryTopic
	}
	if c.DLQTopic == "" {
		c.DLQTopic = DLQTopic
	}
	if c.Schedule.Delays == nil {
		c.Schedule = webhook.DefaultSchedule()
	}
	if c.ShortURL == nil {
		c.ShortURL = handler.DefaultShortURL
	}
	if c.AttemptBudget == 0 {
		c.AttemptBudget = DefaultAttemptBudget
	}
	if c.AlertFlushEvery == 0 {
		c.AlertFlushEvery = DefaultAlertFlushEvery
	}
	if c.AlertFlushLag == 0 {
		c.AlertFlushLag = DefaultAlertFlushLag
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Logger = logs.OrDiscard(c.Logger)
	return c
}

// Validate reports every bad field at once, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.Registry == nil {
		errs = append(errs, errors.New("registry: required"))
	}
	if c.Sender == nil {
		errs = append(errs, errors.New("sender: required"))
	}
	if c.Out == nil {
		errs = append(errs, errors.New("out: required"))
	}
	if err := c.Schedule.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("schedule: %w", err))
	}
	if err := c.Dispatcher.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("dispatcher: %w", err))
	}
	if c.AttemptBudget < 0 {
		errs = append(errs, fmt.Errorf("attempt_budget: must be >= 0, got %s", c.AttemptBudget))
	}
	if c.AlertFlushEvery < 0 {
		errs = append(errs, fmt.Errorf("alert_flush_every: must be >= 0, got %s", c.AlertFlushEvery))
	}
	if c.AlertFlushLag < 0 {
		errs = append(errs, fmt.Errorf("alert_flush_lag: must be >= 0, got %s", c.AlertFlushLag))
	}
	return errors.Join(errs...)
}

// Stage is the webhook delivery stage. Clicks is the handler of
// clicks.enriched.v1 and Retries that of the retry topics; both deliver
// through one Dispatcher, so an endpoint's concurrency bound holds across
// them.
//
// A handler returns nil (the batch may be committed) only once every
// message of it, for every endpoint, is delivered (a 2xx recorded in the
// delivery log) or durably produced: to a retry topic with the next
// attempt's not-before time, or to the dead-letter topic after the last
// attempt, when the endpoint was disabled, or when the message can never be
// sent. Delivery is therefore at least once, and every attempt, retry and
// replay carries the event id as webhook-id, on which receivers
// deduplicate. A non-nil error means nothing of the batch may be
// committed; redelivering it makes its attempts again.
//
// One endpoint cannot slow another's deliveries (ADR 005). Each endpoint
// has its own lane in the Dispatcher (at most Concurrency attempts, at
// most QueueLen waiting), and a handler waits for its batch's attempts for
// at most AttemptBudget, whatever the Deliverer's timeout:
//
//   - an attempt still queued then is withdrawn and parked unmade, due
//     after the schedule's first delay, with the same attempt number;
//   - an attempt still running then is parked as a failed attempt (the
//     next attempt after its schedule delay, or the dead-letter topic), and
//     its endpoint becomes slow. The request goes on, bounded by the
//     Deliverer's timeout; its result, when it comes, is only logged (and
//     may disable the endpoint). A late 2xx means the parked retry
//     delivers the message again: a duplicate, never a loss;
//   - a slow endpoint is not waited for: each message for it is parked at
//     once as a failed attempt, and its attempt is made anyway, unwaited,
//     when a worker of its lane is idle (so never more than Concurrency of
//     its requests hang). When one of them answers within AttemptBudget,
//     success or failure, the endpoint is no longer slow.
//
// So a hanging endpoint holds the batches it is in for one AttemptBudget,
// once, and after that delays only itself: its messages walk the retry
// schedule to the dead-letter topic (or the endpoint is disabled after
// RegistryConfig.DisableAfter), as if every attempt had timed out.
type Stage struct {
	cfg  Config
	reg  *webhook.Registry
	log  *slog.Logger
	disp *webhook.Dispatcher

	tickets atomic.Uint64 // Job.Ticket of the next submission
	spent   atomic.Int64  // handler waits that ran out of AttemptBudget

	mu      sync.Mutex
	waiters map[uint64]chan webhook.Result // by ticket; run waits on them
	slow    map[string]bool                // endpoint ids not waited for

	alerts alerts
}

// New returns the stage. Close it to stop its Dispatcher.
func New(cfg Config) (*Stage, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook stage config: %w", err)
	}
	w := &Stage{cfg: cfg, reg: cfg.Registry, log: cfg.Logger, waiters: map[uint64]chan webhook.Result{}, slow: map[string]bool{}}
	if err := w.alerts.load(cfg.Registry); err != nil {
		return nil, fmt.Errorf("webhook stage: %w", err)
	}
	d, err := webhook.NewDispatcher(cfg.Sender, cfg.Dispatcher, w.onResult)
	if err != nil {
		return nil, fmt.Errorf("webhook stage: %w", err)
	}
	w.disp = d
	return w, nil
}

// Close stops the Dispatcher, waiting for running attempts until ctx ends.
func (w *Stage) Close(ctx context.Context) error { return w.disp.Close(ctx) }

// Clicks returns the handler of enriched clicks: each click goes to every
// enabled endpoint of its workspace subscribed to its event type whose
// filters pass it, and feeds the alert rules (alert.threshold,
// alert.spike, click.digest) of the endpoints subscribed to them whose
// filters pass it. The latest click time of the batch is a watermark that
// sends the digests due by then (see also RunAlertClock). Alert messages
// are delivered, retried and dead-lettered like clicks, with ids derived
// from the endpoint, the link and the window (AlertMessageID); the alert
// states are saved before the handler returns nil. Undecodable records are
// dead-lettered.
func (w *Stage) Clicks() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		var jobs []webhook.Job
		var dead []record.Record
		var watermark time.Time
		now := w.cfg.Now()
		w.alerts.mu.Lock()
		defer w.alerts.mu.Unlock()
		for _, r := range batch {
			c, err := schemas.DecodeEnrichedClick(r.Value)
			if err != nil {
				dead = append(dead, handler.DeadLetter(w.log, "webhook", r, err))
				continue
			}
			if c.Time.After(watermark) {
				watermark = c.Time
			}
			to := w.reg.ClickTargets(c, now)
			jobs = append(jobs, w.applyAlerts(r, c, to.Alerts)...)
			if len(to.Variant) == 0 && len(to.Click) == 0 {
				continue
			}
			short := w.cfg.ShortURL(c)
			if len(to.Variant) > 0 { // routed: also rule.variant_chosen
				vm, err := webhook.VariantChosenMessage(c, short)
				if err != nil {
					dead = append(dead, handler.DeadLetter(w.log, "webhook", r, err))
					continue
				}
				for _, ep := range to.Variant {
					jobs = append(jobs, webhook.Job{Endpoint: ep, Message: vm, Attempt: 1})
				}
			}
			eps := to.Click
			if len(eps) == 0 {
				continue
			}
			msg, err := webhook.ClickMessage(c, short)
			if err != nil {
				dead = append(dead, handler.DeadLetter(w.log, "webhook", r, err))
				continue
			}
			for _, ep := range eps {
				jobs = append(jobs, webhook.Job{Endpoint: ep, Message: msg, Attempt: 1})
			}
		}
		if len(dead) > 0 {
			for i := range dead {
				dead[i].Topic = w.cfg.DLQTopic
			}
			if err := w.cfg.Out.Produce(ctx, dead); err != nil {
				return w.settleAlerts(fmt.Errorf("dead-letter %d undecodable clicks: %w", len(dead), err))
			}
		}
		if !watermark.IsZero() {
			jobs = append(jobs, w.flushAlerts(watermark, false)...)
		}
		return w.settleAlerts(w.run(ctx, jobs))
	}
}

// settled is what one attempt leaves to produce.
type settled struct {
	records  []record.Record
	disabled *webhook.RegisteredEndpoint // set when this attempt disabled it
}

// settle logs r and decides what follows it: nothing (delivered), a retry
// record, or a dead letter, plus the disabled event when r disabled the
// endpoint.
func (w *Stage) settle(j webhook.Job, r webhook.Result) settled {
	return w.follow(j, r, w.record(j, r))
}

// record logs r in the delivery log and returns the reason to disable the
// endpoint, if r calls for it.
func (w *Stage) record(j webhook.Job, r webhook.Result) string {
	reason, err := w.reg.RecordAttempt(r, j.Attempt, j.Message)
	if err != nil {
		w.log.Error("webhook delivery log", "endpoint", j.Endpoint.ID, "message", j.Message.ID, "err", err)
	}
	return reason
}

// follow decides what follows attempt j ending with r, without logging it:
// see settle. reason, when set, disables the endpoint.
func (w *Stage) follow(j webhook.Job, r webhook.Result, reason string) settled {
	var s settled
	if reason != "" {
		s.records, s.disabled = w.disable(j.Endpoint.ID, reason)
	}
	switch {
	case r.Outcome == webhook.OutcomeDelivered:
	case s.disabled != nil || r.Outcome == webhook.OutcomeDisable:
		s.records = append(s.records, w.deadLetter(j, "endpoint disabled: "+reason))
	default:
		if next, ok := w.cfg.Schedule.NextAttempt(j.Attempt, r); ok {
			s.records = append(s.records, w.park(j, j.Attempt+1, j.Attempt, next, r.Err).records...)
			break
		}
		s.records = append(s.records, w.deadLetter(j, fmt.Sprintf("attempt %d of %d: %v", j.Attempt, w.cfg.Schedule.MaxAttempts(), r.Err)))
	}
	return s
}

// disable turns the endpoint off and returns the disabled events for the
// workspace's other endpoints subscribed to them, as attempt-1 records on
// the retry topic (due now), so the event is as durable as any message.
func (w *Stage) disable(id, reason string) ([]record.Record, *webhook.RegisteredEndpoint) {
	e, changed, err := w.reg.Disable(id, reason)
	if err != nil || !changed {
		if err != nil {
			w.log.Error("disable webhook endpoint", "endpoint", id, "err", err)
		}
		return nil, nil
	}
	now := w.cfg.Now()
	msg, err := webhook.NewMessage(uuid.Must(uuid.NewV7()).String(), schemas.WebhookPayload{
		Type: webhook.EventEndpointDisabled, Timestamp: now.UTC(),
		Data: webhook.EndpointDisabled{EndpointID: e.ID, URL: e.URL, Reason: reason},
	})
	if err != nil {
		w.log.Error("build endpoint disabled event", "endpoint", id, "err", err)
		return nil, &e
	}
	var recs []record.Record
	for _, ep := range w.reg.Subscribers(e.WorkspaceID, webhook.EventEndpointDisabled, e.ID, now) {
		recs = append(recs, w.retryRecord(w.cfg.RetryTopic, ep.ID, msg, 1, now))
	}
	return recs, &e
}

// park returns the record that makes attempt number attempt of j's
// message at notBefore, on the retry topic of schedule step step (the
// 1-based index of the delay waited).
func (w *Stage) park(j webhook.Job, attempt, step int, notBefore time.Time, why error) settled {
	w.log.Debug("webhook attempt parked", "endpoint", j.Endpoint.ID, "message", j.Message.ID,
		"next_attempt", attempt, "not_before", notBefore, "err", why)
	return settled{records: []record.Record{w.retryRecord(w.stepTopic(step), j.Endpoint.ID, j.Message, attempt, notBefore)}}
}

// stepTopic is the retry topic of schedule step step: RetryTopic.<step>.
func (w *Stage) stepTopic(step int) string { return retry.StepTopic(w.cfg.RetryTopic, step) }

// RetryTopics returns the topics Retries must consume: RetryTopic, which
// holds attempts due at once (replays, webhook.endpoint.disabled events),
// and one topic per schedule step, RetryTopic.1 to RetryTopic.<len(Delays)>.
func (w *Stage) RetryTopics() []string { return retry.Topics(w.cfg.RetryTopic, w.cfg.Schedule) }

// parkedCodec names the headers of the webhook stage's parked records.
var parkedCodec = retry.Codec{Target: HeaderWebhookEndpoint, ID: HeaderWebhookMessage, Type: HeaderWebhookType,
	Attempt: HeaderWebhookAttempt, NotBefore: HeaderWebhookNotBefore}

func (w *Stage) retryRecord(topic, endpoint string, msg webhook.Message, attempt int, notBefore time.Time) record.Record {
	return parkedCodec.Record(topic, retry.Parked{Target: endpoint, ID: msg.ID, Type: msg.Type, Attempt: attempt,
		NotBefore: notBefore, Body: msg.Body})
}

func (w *Stage) deadLetter(j webhook.Job, why string) record.Record {
	w.log.Warn("webhook message dead-lettered", "endpoint", j.Endpoint.ID, "message", j.Message.ID,
		"attempt", j.Attempt, "reason", why)
	r := w.retryRecord(w.cfg.RetryTopic, j.Endpoint.ID, j.Message, j.Attempt, w.cfg.Now())
	return record.DeadLetter("webhook", r, errors.New(why), w.cfg.DLQTopic)
}

// Replay queues msgs for ep as first attempts due now, on the retry topic:
// they keep their ids, so receivers deduplicate them. It implements
// webhook.ReplayFunc.
func (w *Stage) Replay(ctx context.Context, ep webhook.Endpoint, msgs []webhook.Message) error {
	now := w.cfg.Now()
	recs := make([]record.Record, len(msgs))
	for i, m := range msgs {
		recs[i] = w.retryRecord(w.cfg.RetryTopic, ep.ID, m, 1, now)
	}
	if err := w.cfg.Out.Produce(ctx, recs); err != nil {
		return fmt.Errorf("queue %d replays for %s: %w", len(msgs), ep.ID, err)
	}
	return nil
}
