package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/retry"
	"github.com/clicktrail/clicktrail/sinks/crm"
)

// errInFlight: the event is being written by an earlier attempt still
// running (one the budget stopped waiting for): try again later.
var errInFlight = errors.New("an earlier attempt of this event is still running")

// run submits jobs to their lanes, waits at most AttemptBudget, settles
// every item (written, parked or dead-lettered) and produces the records
// with dead, returning nil once they are durable.
func (s *Stage) run(ctx context.Context, jobs []*job, dead []record.Record) error {
	type pending struct {
		j  *job
		ch chan []error
	}
	var waiting []pending
	out := dead
	for _, j := range jobs {
		if s.isSlow(j.integ.ID) || s.disp.Pending(j.integ.ID) >= s.cfg.Lanes.Concurrency {
			// a write of the integration outlived a budget and has not
			// answered yet, or every worker is busy: park at once rather
			// than wait a budget for it again (ADR 005's slow endpoint)
			out = append(out, s.parkAll(j, fmt.Errorf("integration %s is slow to answer", j.integ.ID))...)
			continue
		}
		j.ticket = s.tickets.Add(1)
		ch := make(chan []error, 1)
		s.mu.Lock()
		s.waiters[j.ticket] = ch
		s.mu.Unlock()
		if err := s.disp.Submit(j); err != nil {
			s.unwait(j.ticket)
			out = append(out, s.parkAll(j, err)...)
			continue
		}
		waiting = append(waiting, pending{j, ch})
	}
	timer := time.NewTimer(s.cfg.AttemptBudget)
	defer timer.Stop()
	expired := false
	for _, p := range waiting {
		if !expired {
			select {
			case errs := <-p.ch:
				out = append(out, s.settle(p.j, errs)...)
				continue
			case <-timer.C:
				expired = true
			}
		}
		s.unwait(p.j.ticket)
		select {
		case errs := <-p.ch:
			out = append(out, s.settle(p.j, errs)...)
			continue
		default:
		}
		if s.disp.Withdraw(p.j) {
			out = append(out, s.parkAll(p.j, fmt.Errorf("not started within the %s attempt budget", s.cfg.AttemptBudget))...)
			continue
		}
		// still running: park as a failed attempt; the write goes on and
		// its result lands in the ledger, which the retry consults. The
		// integration is slow until one of its writes answers.
		s.setSlow(p.j.integ.ID, true)
		errs := crm.Fill(len(p.j.items), &crm.Error{Message: fmt.Sprintf("no answer within the %s attempt budget", s.cfg.AttemptBudget)})
		out = append(out, s.settle(p.j, errs)...)
	}
	if len(out) == 0 {
		return nil
	}
	if err := s.cfg.Out.Produce(ctx, out); err != nil {
		return fmt.Errorf("park %d crm events: %w", len(out), err)
	}
	return nil
}

// parkAll parks every item of j unmade, same attempt, due after the
// schedule's first delay.
func (s *Stage) parkAll(j *job, why error) []record.Record {
	var out []record.Record
	at := s.cfg.Now().Add(s.cfg.Schedule.Delays[0])
	for _, it := range j.items {
		s.log.Debug("crm event parked", "integration", j.integ.ID, "event", it.ev.ID, "err", why)
		out = append(out, s.park(j.integ.ID, it, it.attempt, 1, at))
	}
	return out
}

// settle decides what follows each item's result.
func (s *Stage) settle(j *job, errs []error) []record.Record {
	var out []record.Record
	now := s.cfg.Now()
	for k, it := range j.items {
		var err error
		if k < len(errs) {
			err = errs[k]
		}
		if errors.Is(err, errInFlight) {
			out = append(out, s.park(j.integ.ID, it, it.attempt, 1, now.Add(s.cfg.Schedule.Delays[0])))
			continue
		}
		o, pause := crm.Classify(err)
		switch o {
		case crm.Delivered:
		case crm.Paused: // not a failure: same attempt, after the pause
			out = append(out, s.park(j.integ.ID, it, it.attempt, s.pauseStep(pause), now.Add(pause)))
		case crm.Failed:
			out = append(out, s.deadLetter(j.integ.ID, it, err))
		default:
			if next, ok := s.cfg.Schedule.NextAttempt(it.attempt, attempt{it.ev.ID, now}); ok {
				out = append(out, s.park(j.integ.ID, it, it.attempt+1, it.attempt, next))
				continue
			}
			out = append(out, s.deadLetter(j.integ.ID, it, fmt.Errorf("attempt %d of %d: %w", it.attempt, s.cfg.Schedule.MaxAttempts(), err)))
		}
	}
	return out
}

// pauseStep is the retry topic step of a pause: the one with the longest
// delay not above it, so the paused record holds the records behind it on
// its partition for at most the gap to that delay.
func (s *Stage) pauseStep(pause time.Duration) int {
	step := 1
	for i, d := range s.cfg.Schedule.Delays {
		if d <= pause {
			step = i + 1
		}
	}
	return step
}

// attempt is a failed attempt, for Schedule.NextAttempt.
type attempt struct {
	id  string
	end time.Time
}

func (a attempt) ScheduleInput() (string, bool, time.Time, time.Duration) {
	return a.id, true, a.end, 0
}

func (s *Stage) park(integ string, it item, attempt, step int, notBefore time.Time) record.Record {
	body, _ := json.Marshal(it.ev) // strings, a time and a map of strings: cannot fail
	return codec.Record(retry.StepTopic(s.cfg.RetryTopic, step), retry.Parked{Target: integ, ID: it.ev.ID, Type: it.ev.Type,
		Attempt: attempt, NotBefore: notBefore, Body: body})
}

func (s *Stage) deadLetter(integ string, it item, why error) record.Record {
	s.log.Warn("crm event dead-lettered", "integration", integ, "event", it.ev.ID, "attempt", it.attempt, "reason", why)
	r := s.park(integ, it, it.attempt, 1, s.cfg.Now())
	r.Topic = s.cfg.RetryTopic
	return record.DeadLetter("crm", r, why, s.cfg.DLQTopic)
}

func (s *Stage) unwait(ticket uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.waiters, ticket)
}

// onResult hands a job's results to the handler waiting for it; a job
// nobody waits for any more only updated the ledger (in write).
func (s *Stage) onResult(j *job, errs []error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.slow, j.integ.ID)
	if ch, ok := s.waiters[j.ticket]; ok {
		delete(s.waiters, j.ticket)
		ch <- errs
	}
}

func (s *Stage) isSlow(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slow[id]
}

func (s *Stage) setSlow(id string, slow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slow {
		s.slow[id] = true
	} else {
		delete(s.slow, id)
	}
}
