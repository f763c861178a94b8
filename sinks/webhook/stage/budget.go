package stage

import (
	"context"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/sinks/webhook"
)

// lateProduceTimeout bounds producing the endpoint-disabled events a late
// result causes: no handler waits for them.
const lateProduceTimeout = 10 * time.Second

// pending is a submitted attempt a handler waits for.
type pending struct {
	job webhook.Job
	ch  chan webhook.Result
}

// run makes jobs' attempts and settles every one: it returns nil once each
// is delivered or durably parked, waiting at most AttemptBudget for the
// attempts (see Stage for what happens to the others).
//
// The steps: jobs for slow endpoints are detached (parked at once, tried
// unwaited if a worker is idle); the others are submitted, each with its
// own ticket and result channel; the results that come within the budget
// are settled; what is left is abandoned; and everything to park or
// dead-letter is produced in one call. Waiting for every attempt, as this
// stage once did, let one endpoint that hangs until the Deliverer's timeout
// hold the commit of its batch and of every batch behind it, for all
// workspaces.
func (w *Stage) run(ctx context.Context, jobs []webhook.Job) error {
	var (
		waiting []pending
		done    []settled
	)
	for _, j := range jobs {
		j.Ticket = w.tickets.Add(1)
		ch := make(chan webhook.Result, 1)
		w.mu.Lock()
		slow := w.slow[j.Endpoint.ID]
		if !slow {
			w.waiters[j.Ticket] = ch
		}
		w.mu.Unlock()
		if slow {
			done = append(done, w.detach(j))
			continue
		}
		if err := w.disp.Submit(j); err != nil {
			w.unwait(j.Ticket)
			// Queue full or closing: park the attempt unmade, same number.
			done = append(done, w.parkUnmade(j, err))
			continue
		}
		waiting = append(waiting, pending{j, ch})
	}
	done = append(done, w.collect(waiting)...)
	var out []record.Record
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

// collect settles the results of waiting that come within AttemptBudget
// and abandons the rest. It needs no ctx case: the budget bounds it.
func (w *Stage) collect(waiting []pending) []settled {
	if len(waiting) == 0 {
		return nil
	}
	timer := time.NewTimer(w.cfg.AttemptBudget)
	defer timer.Stop()
	done := make([]settled, 0, len(waiting))
	for i, p := range waiting {
		select {
		case r := <-p.ch:
			done = append(done, w.settle(p.job, r))
			continue
		case <-timer.C:
		}
		w.spent.Add(1)
		for _, p := range waiting[i:] {
			done = append(done, w.abandon(p))
		}
		break
	}
	return done
}

// abandon settles p without waiting any longer: with its result if it came
// meanwhile, parked unmade if it had not started, or else parked as a
// failed attempt while the request goes on (its result goes to late), its
// endpoint marked slow.
func (w *Stage) abandon(p pending) settled {
	w.unwait(p.job.Ticket) // from here a result goes to late
	select {
	case r := <-p.ch: // onResult sends under w.mu: if it came, it is here
		return w.settle(p.job, r)
	default:
	}
	if w.disp.Withdraw(p.job) {
		return w.parkUnmade(p.job, fmt.Errorf("not started within the %s attempt budget", w.cfg.AttemptBudget))
	}
	w.setSlow(p.job.Endpoint.ID, true)
	r := w.unanswered(p.job, fmt.Errorf("endpoint %s: no answer within the %s attempt budget (the request goes on; its result is logged when it comes)",
		p.job.Endpoint.ID, w.cfg.AttemptBudget))
	return w.follow(p.job, r, "")
}

// detach settles j, for an endpoint that is slow, without waiting: the
// message is parked as if this attempt failed, and the attempt is made
// anyway when a worker of the endpoint is idle, its result going to late.
// Without an idle worker the unmade attempt is logged as failed, so the
// delivery log says why nothing was sent.
func (w *Stage) detach(j webhook.Job) settled {
	if err := w.disp.SubmitIdle(j); err != nil {
		return w.settle(j, w.unanswered(j, fmt.Errorf("not attempted: endpoint %s is slow to answer: %w", j.Endpoint.ID, err)))
	}
	return w.follow(j, w.unanswered(j, fmt.Errorf("endpoint %s is slow to answer: attempt made without waiting for it", j.Endpoint.ID)), "")
}

// unanswered is the Result of an attempt this stage stopped waiting for (or
// did not make): to retry, per the schedule.
func (w *Stage) unanswered(j webhook.Job, err error) webhook.Result {
	return webhook.Result{EndpointID: j.Endpoint.ID, MessageID: j.Message.ID, Attempted: w.cfg.Now(),
		Outcome: webhook.OutcomeRetry, Err: err}
}

// parkUnmade parks j's attempt, never made, with the same number, due
// after the schedule's first delay.
func (w *Stage) parkUnmade(j webhook.Job, why error) settled {
	return w.park(j, j.Attempt, 1, w.cfg.Now().Add(w.cfg.Schedule.Delays[0]), why)
}

// onResult is the Dispatcher's callback. A handler waiting for the attempt
// gets r; an attempt nobody waits for (abandoned or detached) goes to late.
func (w *Stage) onResult(j webhook.Job, r webhook.Result) {
	w.mu.Lock()
	ch, ok := w.waiters[j.Ticket]
	if ok {
		delete(w.waiters, j.Ticket)
		ch <- r // buffered: never blocks; under mu, so abandon sees it or not at all
	}
	w.mu.Unlock()
	if !ok {
		w.late(j, r)
	}
}

// late handles the result of an attempt whose message is already parked:
// it logs it, decides whether the endpoint is slow (it answered, or failed,
// within AttemptBudget or not), and disables the endpoint if r calls for
// it, producing the disabled events unwaited.
func (w *Stage) late(j webhook.Job, r webhook.Result) {
	w.setSlow(j.Endpoint.ID, r.Latency >= w.cfg.AttemptBudget)
	reason := w.record(j, r)
	if reason == "" {
		return
	}
	recs, _ := w.disable(j.Endpoint.ID, reason)
	if len(recs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), lateProduceTimeout)
	defer cancel()
	if err := w.cfg.Out.Produce(ctx, recs); err != nil {
		w.log.Error("webhook endpoint disabled event lost", "endpoint", j.Endpoint.ID, "err", err)
	}
}

func (w *Stage) setSlow(id string, slow bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if slow {
		w.slow[id] = true
	} else {
		delete(w.slow, id)
	}
}

func (w *Stage) unwait(ticket uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.waiters, ticket)
}
