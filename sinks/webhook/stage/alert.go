package stage

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook"
	"github.com/clicktrail/clicktrail/sinks/webhook/alert"
)

// Defaults of the alert clock (Config.AlertFlushEvery and
// AlertFlushLag).
const (
	DefaultAlertFlushEvery = 10 * time.Second
	DefaultAlertFlushLag   = 10 * time.Second
)

// alertIDSpace is the UUIDv5 namespace of alert message ids.
var alertIDSpace = uuid.MustParse("6f1e7a52-3c0b-4d7e-9a55-2f9a1c0de4a1")

// AlertMessageID returns the webhook id of an alert event: a UUIDv5 of
// the endpoint, the link and the event's key (type and window start), so
// the same clicks give the same id on every redelivery, restart and replay.
func AlertMessageID(endpoint, link, key string) string {
	return uuid.NewSHA1(alertIDSpace, []byte(endpoint+"\x00"+link+"\x00"+key)).String()
}

// alerts is the stage's alert memory: the rules' State per endpoint and
// link, and per input partition the offset of the last click the states
// include. It is loaded from the Registry at start and saved there after
// every batch, once the batch's messages are delivered or parked, so:
//
//   - a crash before the save replays the batch from the stored states:
//     the same events come again with the same ids (receivers dedupe);
//   - a crash after the save and before the consumer's commit redelivers
//     clicks the states already counted: their offsets are at or below
//     the stored one, and they are not counted twice.
//
// The offsets are those of the log the stage consumes; a consumer group
// reset or a recreated topic (offsets starting over) makes the stage skip
// clicks for the alerts until the offsets pass the stored ones: delete the
// registry's alert state then. In Kafka mode the states live in the
// process that consumed the link's partition (clicks are keyed by link):
// a rebalance that moves a partition starts its links' states afresh on
// the new owner.
type alerts struct {
	mu      sync.Mutex // held for a whole batch or flush, delivery included
	states  map[webhook.AlertKey]*alert.State
	offsets map[webhook.AlertPosition]int64
	changed map[webhook.AlertKey]bool
	moved   map[webhook.AlertPosition]bool
	nextDue time.Time // the earliest pending digest; zero when none
}

func (a *alerts) load(reg *webhook.Registry) error {
	states, offsets, err := reg.AlertStates()
	if err != nil {
		return fmt.Errorf("load alert states: %w", err)
	}
	a.states, a.offsets = states, offsets
	a.changed, a.moved = map[webhook.AlertKey]bool{}, map[webhook.AlertPosition]bool{}
	a.nextDue = time.Time{}
	for _, st := range states {
		a.noteDue(st)
	}
	return nil
}

func (a *alerts) noteDue(st *alert.State) {
	if due, ok := st.DigestDue(); ok && (a.nextDue.IsZero() || due.Before(a.nextDue)) {
		a.nextDue = due
	}
}

// apply feeds click c, read from record r, to the rules of every endpoint
// it matches, and returns the attempts of the events it triggers. A click
// the states already include (see alerts) triggers nothing.
func (w *Stage) applyAlerts(r record.Record, c *schemas.EnrichedClick, targets []webhook.AlertTarget) []webhook.Job {
	a := &w.alerts
	pos := webhook.AlertPosition{Topic: r.Topic, Partition: r.Partition}
	if off, ok := a.offsets[pos]; ok && r.Offset <= off {
		return nil
	}
	a.offsets[pos], a.moved[pos] = r.Offset, true
	var jobs []webhook.Job
	for _, t := range targets {
		k := webhook.AlertKey{Endpoint: t.Endpoint.ID, Link: c.LinkID}
		st := a.states[k]
		if st == nil || !st.Since.Equal(t.Since) {
			st = alert.NewState(t.Since) // new link, or the rules changed
			a.states[k] = st
		}
		a.changed[k] = true
		st.Link.ShortURL = w.cfg.ShortURL(c)
		jobs = append(jobs, w.alertJobs(t.Endpoint, c.LinkID, st.Apply(t.Rules, c))...)
		a.noteDue(st)
	}
	return jobs
}

// flushAlerts returns the attempts of the digests due at now, the
// watermark, and forgets idle states. Unless full, it does nothing before
// the earliest digest is due.
func (w *Stage) flushAlerts(now time.Time, full bool) []webhook.Job {
	a := &w.alerts
	if !full && (a.nextDue.IsZero() || now.Before(a.nextDue)) {
		return nil
	}
	// The endpoints with alert states, each read once (not every endpoint
	// of every workspace, sorted and copied, at every tick).
	eps := map[string]*webhook.RegisteredEndpoint{}
	endpoint := func(id string) (*webhook.RegisteredEndpoint, bool) {
		e, seen := eps[id]
		if !seen {
			if got, err := w.reg.Get(id); err == nil {
				e = &got
			}
			eps[id] = e
		}
		return e, e != nil
	}
	var jobs []webhook.Job
	a.nextDue = time.Time{}
	for k, st := range a.states {
		e, ok := endpoint(k.Endpoint)
		var rules alert.Config
		if ok {
			rules = e.Rules()
		}
		if !ok || rules.IsZero() || !st.Since.Equal(e.AlertsSince) {
			delete(a.states, k) // endpoint gone, disabled, or its rules changed
			a.changed[k] = true
			continue
		}
		if evs := st.Flush(rules, now); len(evs) > 0 {
			jobs = append(jobs, w.alertJobs(e.Endpoint(w.cfg.Now()), k.Link, evs)...)
			a.changed[k] = true
		}
		if full && st.Idle(rules, now) {
			delete(a.states, k)
			a.changed[k] = true
			continue
		}
		a.noteDue(st)
	}
	return jobs
}

// alertJobs builds the first attempts of evs for ep.
func (w *Stage) alertJobs(ep webhook.Endpoint, link string, evs []alert.Event) []webhook.Job {
	var jobs []webhook.Job
	for _, ev := range evs {
		msg, err := webhook.NewMessage(AlertMessageID(ep.ID, link, ev.Key),
			schemas.WebhookPayload{Type: ev.Type, Timestamp: ev.Time.UTC(), Data: ev.Data})
		if err != nil { // cannot happen: the data types encode
			w.log.Error("build alert message", "endpoint", ep.ID, "link", link, "event", ev.Key, "err", err)
			continue
		}
		jobs = append(jobs, webhook.Job{Endpoint: ep, Message: msg, Attempt: 1})
	}
	return jobs
}

// saveAlerts stores the states changed since the last save, with the
// offsets the states include. A batch that changed no state writes
// nothing (no fsync per batch when no endpoint has alerts): redelivering
// its clicks would change nothing either, but for an endpoint given alert
// rules since, whose states may then count a few clicks from just before.
func (w *Stage) saveAlerts() error {
	a := &w.alerts
	if len(a.changed) == 0 {
		return nil
	}
	states := make(map[webhook.AlertKey]*alert.State, len(a.changed))
	for k := range a.changed {
		states[k] = a.states[k] // nil deletes
	}
	offsets := make(map[webhook.AlertPosition]int64, len(a.moved))
	for p := range a.moved {
		offsets[p] = a.offsets[p]
	}
	if err := w.reg.SaveAlertStates(states, offsets); err != nil {
		return err
	}
	clear(a.changed)
	clear(a.moved)
	return nil
}

// settleAlerts ends a batch or flush: on success it saves the alert
// states; on failure (err non-nil, or the save failing) it reloads them
// from the registry, so the redelivered records are counted again and
// their events sent again with the same ids.
func (w *Stage) settleAlerts(err error) error {
	if err == nil {
		if err = w.saveAlerts(); err == nil {
			return nil
		}
		err = fmt.Errorf("save alert states: %w", err)
	}
	if lerr := w.alerts.load(w.reg); lerr != nil {
		w.log.Error("reload alert states", "err", lerr)
	}
	return err
}

// FlushAlerts sends the digests due at now and forgets idle alert
// states. now is a watermark: every click older than it must have been
// handled, or it joins the next digest (never lost, but late). It returns
// nil once the digests are delivered or durably parked and the states
// saved.
func (w *Stage) FlushAlerts(ctx context.Context, now time.Time) error {
	w.alerts.mu.Lock()
	defer w.alerts.mu.Unlock()
	jobs := w.flushAlerts(now, true)
	return w.settleAlerts(w.run(ctx, jobs))
}

// RunAlertClock calls FlushAlerts every AlertFlushEvery with the clock
// minus AlertFlushLag until ctx ends, so digests go out when no click
// comes to move time on. The lag is how late a click may reach this stage
// and still count in its own period. Errors are logged and retried on the
// next tick; it returns nil when ctx ends.
func (w *Stage) RunAlertClock(ctx context.Context) error {
	t := time.NewTicker(w.cfg.AlertFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := w.FlushAlerts(ctx, w.cfg.Now().Add(-w.cfg.AlertFlushLag)); err != nil && ctx.Err() == nil {
			w.log.Warn("webhook alert flush", "err", err)
		}
	}
}
