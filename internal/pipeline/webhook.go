package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// Topics of the webhook stage (before any deployment prefix).
const (
	WebhookRetryTopic = "webhooks.retry.v1"
	WebhookDLQTopic   = "webhooks.dlq.v1"
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

// WebhookConfig configures the webhook delivery stage.
type WebhookConfig struct {
	Registry *webhook.Registry // required
	Sender   webhook.Sender    // required: a *webhook.Deliverer
	// Out receives parked retries and dead letters; its Produce must
	// return nil only once they are durable (the spool, or Kafka with
	// acks=all). Required.
	Out ingest.Producer
	// RetryTopic is the retry topic of attempts due at once, and the
	// prefix of the per-step retry topics (see RetryTopics); default
	// WebhookRetryTopic.
	RetryTopic string
	DLQTopic   string // default WebhookDLQTopic
	// Schedule is the retry schedule; zero means webhook.DefaultSchedule.
	Schedule webhook.Schedule
	// Dispatcher bounds per-endpoint concurrency and queues. A message
	// that finds its endpoint's queue full is parked at once.
	Dispatcher webhook.DispatcherConfig
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

func (c WebhookConfig) withDefaults() WebhookConfig {
	if c.RetryTopic == "" {
		c.RetryTopic = WebhookRetryTopic
	}
	if c.DLQTopic == "" {
		c.DLQTopic = WebhookDLQTopic
	}
	if c.Schedule.Delays == nil {
		c.Schedule = webhook.DefaultSchedule()
	}
	if c.ShortURL == nil {
		c.ShortURL = defaultShortURL
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
	c.Logger = orDiscard(c.Logger)
	return c
}

// defaultShortURL is a click's short URL when the deployment names no
// other: https on its domain.
func defaultShortURL(c *schemas.EnrichedClick) string { return "https://" + c.Domain + "/" + c.Path }

// Validate reports every bad field at once, each naming its key.
func (c WebhookConfig) Validate() error {
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
	if c.AlertFlushEvery < 0 {
		errs = append(errs, fmt.Errorf("alert_flush_every: must be >= 0, got %s", c.AlertFlushEvery))
	}
	if c.AlertFlushLag < 0 {
		errs = append(errs, fmt.Errorf("alert_flush_lag: must be >= 0, got %s", c.AlertFlushLag))
	}
	return errors.Join(errs...)
}

// Webhooks is the webhook delivery stage. Clicks is the handler of
// clicks.enriched.v1 and Retries that of the retry topic; both deliver
// through one Dispatcher, so an endpoint's concurrency bound holds across
// them.
//
// A handler returns nil (the batch may be committed) only once every
// attempt it started has a final Result that is recorded in the delivery
// log and, unless delivered, durably produced: to the retry topic with the
// next attempt's not-before time, or to the dead-letter topic after the
// last attempt, when the endpoint was disabled, or when the message can
// never be sent. Delivery is therefore at least once, and every attempt,
// retry and replay carries the event id as webhook-id.
//
// A handler waits for its batch's attempts, so an endpoint that hangs
// until its timeout delays the commit of the batches it is in (not the
// attempts to other endpoints, which run in their own lanes). Keep
// Deliverer timeouts short and Dispatcher queues small.
type Webhooks struct {
	cfg  WebhookConfig
	reg  *webhook.Registry
	log  *slog.Logger
	disp *webhook.Dispatcher

	mu      sync.Mutex
	waiters map[jobKey][]chan webhook.Result

	alerts alerts
}

type jobKey struct {
	endpoint, message string
	attempt           int
}

// NewWebhooks returns the stage. Close it to stop its Dispatcher.
func NewWebhooks(cfg WebhookConfig) (*Webhooks, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook stage config: %w", err)
	}
	w := &Webhooks{cfg: cfg, reg: cfg.Registry, log: cfg.Logger, waiters: map[jobKey][]chan webhook.Result{}}
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
func (w *Webhooks) Close(ctx context.Context) error { return w.disp.Close(ctx) }

func (w *Webhooks) onResult(j webhook.Job, r webhook.Result) {
	k := jobKey{j.Endpoint.ID, j.Message.ID, j.Attempt}
	w.mu.Lock()
	chs := w.waiters[k]
	if len(chs) == 0 { // cannot happen: run registers before Submit
		w.mu.Unlock()
		w.log.Error("webhook result without a waiter", "endpoint", k.endpoint, "message", k.message, "attempt", k.attempt)
		return
	}
	ch := chs[0]
	if len(chs) == 1 {
		delete(w.waiters, k)
	} else {
		w.waiters[k] = chs[1:]
	}
	w.mu.Unlock()
	ch <- r
}

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
func (w *Webhooks) Clicks() ingest.Handler {
	return func(ctx context.Context, batch []ingest.Record) error {
		var jobs []webhook.Job
		var dead []ingest.Record
		var watermark time.Time
		now := w.cfg.Now()
		w.alerts.mu.Lock()
		defer w.alerts.mu.Unlock()
		for _, r := range batch {
			c, err := schemas.DecodeEnrichedClick(r.Value)
			if err != nil {
				dead = append(dead, deadLetter(w.log, "webhook", r, err))
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
					dead = append(dead, deadLetter(w.log, "webhook", r, err))
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
				dead = append(dead, deadLetter(w.log, "webhook", r, err))
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

// run makes jobs' attempts and settles every result: it returns nil once
// each is delivered or durably parked.
func (w *Webhooks) run(ctx context.Context, jobs []webhook.Job) error {
	type pending struct {
		job webhook.Job
		ch  chan webhook.Result
	}
	var (
		waiting []pending
		done    []settled
	)
	for _, j := range jobs {
		ch := make(chan webhook.Result, 1)
		k := jobKey{j.Endpoint.ID, j.Message.ID, j.Attempt}
		w.mu.Lock()
		w.waiters[k] = append(w.waiters[k], ch)
		w.mu.Unlock()
		if err := w.disp.Submit(j); err != nil {
			w.unwait(k, ch)
			// Queue full or closing: park the attempt unmade, same number.
			done = append(done, w.park(j, j.Attempt, 1, w.cfg.Now().Add(w.cfg.Schedule.Delays[0]), err))
			continue
		}
		waiting = append(waiting, pending{j, ch})
	}
	for _, p := range waiting {
		// Every submitted job gets its result, even when the Dispatcher
		// closes (a retry with a context error): no ctx case needed.
		done = append(done, w.settle(p.job, <-p.ch))
	}
	var out []ingest.Record
	for _, s := range done {
		out = append(out, s.records...)
	}
	if len(out) > 0 {
		if err := w.cfg.Out.Produce(ctx, out); err != nil {
			return fmt.Errorf("park %d webhook attempts: %w", len(out), err)
		}
	}
	return nil
}

func (w *Webhooks) unwait(k jobKey, ch chan webhook.Result) {
	w.mu.Lock()
	defer w.mu.Unlock()
	chs := w.waiters[k]
	for i, c := range chs {
		if c == ch {
			chs = append(chs[:i], chs[i+1:]...)
			break
		}
	}
	if len(chs) == 0 {
		delete(w.waiters, k)
	} else {
		w.waiters[k] = chs
	}
}

// settled is what one attempt leaves to produce.
type settled struct {
	records  []ingest.Record
	disabled *webhook.RegisteredEndpoint // set when this attempt disabled it
}

// settle logs r and decides what follows it: nothing (delivered), a retry
// record, or a dead letter, plus the disabled event when r disabled the
// endpoint.
func (w *Webhooks) settle(j webhook.Job, r webhook.Result) settled {
	var s settled
	reason, err := w.reg.RecordAttempt(r, j.Attempt, j.Message)
	if err != nil {
		w.log.Error("webhook delivery log", "endpoint", j.Endpoint.ID, "message", j.Message.ID, "err", err)
	}
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
func (w *Webhooks) disable(id, reason string) ([]ingest.Record, *webhook.RegisteredEndpoint) {
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
	var recs []ingest.Record
	for _, ep := range w.reg.Subscribers(e.WorkspaceID, webhook.EventEndpointDisabled, e.ID, now) {
		recs = append(recs, w.retryRecord(w.cfg.RetryTopic, ep.ID, msg, 1, now))
	}
	return recs, &e
}

// park returns the record that makes attempt number attempt of j's
// message at notBefore, on the retry topic of schedule step step (the
// 1-based index of the delay waited).
func (w *Webhooks) park(j webhook.Job, attempt, step int, notBefore time.Time, why error) settled {
	w.log.Debug("webhook attempt parked", "endpoint", j.Endpoint.ID, "message", j.Message.ID,
		"next_attempt", attempt, "not_before", notBefore, "err", why)
	return settled{records: []ingest.Record{w.retryRecord(w.stepTopic(step), j.Endpoint.ID, j.Message, attempt, notBefore)}}
}

// stepTopic is the retry topic of schedule step step: RetryTopic.<step>.
func (w *Webhooks) stepTopic(step int) string { return w.cfg.RetryTopic + "." + strconv.Itoa(step) }

// RetryTopics returns the topics Retries must consume: RetryTopic, which
// holds attempts due at once (replays, webhook.endpoint.disabled events),
// and one topic per schedule step, RetryTopic.1 to RetryTopic.<len(Delays)>.
func (w *Webhooks) RetryTopics() []string {
	ts := []string{w.cfg.RetryTopic}
	for step := 1; step <= len(w.cfg.Schedule.Delays); step++ {
		ts = append(ts, w.stepTopic(step))
	}
	return ts
}

func (w *Webhooks) retryRecord(topic, endpoint string, msg webhook.Message, attempt int, notBefore time.Time) ingest.Record {
	return ingest.Record{
		Topic: topic,
		Key:   []byte(endpoint),
		Value: msg.Body,
		Headers: []ingest.Header{
			{Key: HeaderWebhookEndpoint, Value: []byte(endpoint)},
			{Key: HeaderWebhookMessage, Value: []byte(msg.ID)},
			{Key: HeaderWebhookType, Value: []byte(msg.Type)},
			{Key: HeaderWebhookAttempt, Value: strconv.AppendInt(nil, int64(attempt), 10)},
			{Key: HeaderWebhookNotBefore, Value: strconv.AppendInt(nil, notBefore.UnixMilli(), 10)},
		},
	}
}

func (w *Webhooks) deadLetter(j webhook.Job, why string) ingest.Record {
	w.log.Warn("webhook message dead-lettered", "endpoint", j.Endpoint.ID, "message", j.Message.ID,
		"attempt", j.Attempt, "reason", why)
	r := w.retryRecord(w.cfg.RetryTopic, j.Endpoint.ID, j.Message, j.Attempt, w.cfg.Now())
	return ingest.DeadLetter("webhook", r, errors.New(why), w.cfg.DLQTopic)
}

// Replay queues msgs for ep as first attempts due now, on the retry topic:
// they keep their ids, so receivers deduplicate them. It implements
// webhook.ReplayFunc.
func (w *Webhooks) Replay(ctx context.Context, ep webhook.Endpoint, msgs []webhook.Message) error {
	now := w.cfg.Now()
	recs := make([]ingest.Record, len(msgs))
	for i, m := range msgs {
		recs[i] = w.retryRecord(w.cfg.RetryTopic, ep.ID, m, 1, now)
	}
	if err := w.cfg.Out.Produce(ctx, recs); err != nil {
		return fmt.Errorf("queue %d replays for %s: %w", len(msgs), ep.ID, err)
	}
	return nil
}
