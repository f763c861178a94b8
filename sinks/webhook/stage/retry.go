package stage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/retry"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// Retries returns the handler of the retry topics. It takes records in
// order, sleeping until each one's not-before time (bounded by ctx), then
// makes the attempt each names against the endpoint's current URL and
// secrets, and settles the results like Clicks. Records for an endpoint
// that was deleted are dropped; for one that was disabled, dead-lettered
// (a replay re-sends them once it is enabled again).
//
// Run it on every topic of RetryTopics. Each schedule step has its own
// topic and every record on it waited the same delay, so a topic's order is
// its due order and a record waiting blocks none that are due sooner. Two
// exceptions: the schedule's jitter (±Jitter of the step's delay), and a
// receiver's Retry-After longer than the step's delay (bounded by
// webhook.MaxRetryAfter), which hold the records behind them on their
// partition for at most that long.
func (w *Stage) Retries() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		var jobs []webhook.Job
		var dead []record.Record
		for _, r := range batch {
			p, err := decodeParked(r)
			if err != nil {
				dead = append(dead, record.DeadLetter("webhook-retry", r, err, w.cfg.DLQTopic))
				continue
			}
			if p.notBefore.After(w.cfg.Now()) {
				// Settle what is due before waiting, so a long wait does not
				// hold attempts already made. Should the batch fail later,
				// they are made again: receivers deduplicate on webhook-id.
				if err := w.flush(ctx, &jobs, &dead); err != nil {
					return err
				}
				if err := sleepUntil(ctx, p.notBefore, w.cfg.Now); err != nil {
					return fmt.Errorf("wait for webhook retry of %s: %w", p.msg.ID, err)
				}
			}
			e, err := w.reg.Get(p.endpoint)
			switch {
			case errors.Is(err, webhook.ErrNotFound):
				w.log.Info("webhook retry dropped: endpoint deleted", "endpoint", p.endpoint, "message", p.msg.ID)
				continue
			case err != nil:
				return fmt.Errorf("webhook retry of %s: %w", p.msg.ID, err)
			case !e.Enabled:
				dead = append(dead, record.DeadLetter("webhook-retry", r,
					fmt.Errorf("endpoint %s disabled: %s", e.ID, e.DisabledReason), w.cfg.DLQTopic))
				continue
			}
			jobs = append(jobs, webhook.Job{Endpoint: e.Endpoint(w.cfg.Now()), Message: p.msg, Attempt: p.attempt})
		}
		return w.flush(ctx, &jobs, &dead)
	}
}

// flush dead-letters dead, makes the attempts of jobs, and empties both.
func (w *Stage) flush(ctx context.Context, jobs *[]webhook.Job, dead *[]record.Record) error {
	if len(*dead) > 0 {
		if err := w.cfg.Out.Produce(ctx, *dead); err != nil {
			return fmt.Errorf("dead-letter %d webhook retries: %w", len(*dead), err)
		}
	}
	if err := w.run(ctx, *jobs); err != nil {
		return err
	}
	*jobs, *dead = (*jobs)[:0], (*dead)[:0]
	return nil
}

type parked struct {
	endpoint  string
	msg       webhook.Message
	attempt   int
	notBefore time.Time
}

// decodeParked reads a retry-topic record, naming the bad header.
func decodeParked(r record.Record) (parked, error) {
	p, err := parkedCodec.Decode(r)
	return parked{endpoint: p.Target, msg: webhook.Message{ID: p.ID, Type: p.Type, Body: p.Body},
		attempt: p.Attempt, notBefore: p.NotBefore}, err
}

// sleepUntil returns once now() reaches t, or ctx's error.
func sleepUntil(ctx context.Context, t time.Time, now func() time.Time) error {
	return retry.SleepUntil(ctx, t, now)
}
