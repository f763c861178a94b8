package stage

import (
	"context"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/sinks/crm"
)

// write runs one job on its integration's lane: nothing while the
// integration is paused; otherwise the events not yet written (ledger) and
// not being written by another attempt go to the adapter in chunks of
// Batch, and those written are recorded in the ledger.
func (s *Stage) write(ctx context.Context, j *job) []error {
	errs := make([]error, len(j.items))
	id := j.integ.ID
	now := s.cfg.Now()
	s.mu.Lock()
	until := s.paused[id]
	s.mu.Unlock()
	if until.After(now) {
		return crm.Fill(len(j.items), &crm.Error{Status: 429, Message: "integration paused at the CRM's request", Pause: until.Sub(now)})
	}
	a, err := s.adapter(j.integ)
	if err != nil {
		return crm.Fill(len(j.items), &crm.Error{Message: err.Error(), Permanent: true})
	}
	ids := make([]string, len(j.items))
	for k, it := range j.items {
		ids[k] = it.ev.ID
	}
	written, err := s.reg.Written(id, ids)
	if err != nil {
		return crm.Fill(len(j.items), err)
	}
	var todo []int
	s.mu.Lock()
	fl := s.inflight[id]
	if fl == nil {
		fl = map[string]bool{}
		s.inflight[id] = fl
	}
	for k, it := range j.items {
		switch {
		case written[it.ev.ID]:
		case fl[it.ev.ID]:
			errs[k] = errInFlight
		default:
			fl[it.ev.ID] = true
			todo = append(todo, k)
		}
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		for _, k := range todo {
			delete(fl, j.items[k].ev.ID)
		}
		if len(fl) == 0 {
			delete(s.inflight, id)
		}
		s.mu.Unlock()
	}()
	for start := 0; start < len(todo); start += s.cfg.Batch {
		chunk := todo[start:min(start+s.cfg.Batch, len(todo))]
		evs := make([]crm.Event, len(chunk))
		for n, k := range chunk {
			evs[n] = j.items[k].ev
		}
		res := a.Deliver(ctx, evs)
		var done []string
		for n, k := range chunk {
			errs[k] = res[n]
			if res[n] == nil {
				done = append(done, evs[n].ID)
			}
			if o, pause := crm.Classify(res[n]); o == crm.Paused {
				s.pause(id, pause)
			}
		}
		if err := s.reg.MarkWritten(id, done, s.cfg.Now()); err != nil {
			s.log.Error("crm ledger", "integration", id, "err", err)
		}
		if s.isPaused(id) { // the rest waits for the pause, without a call
			for _, k := range todo[start+len(chunk):] {
				errs[k] = &crm.Error{Status: 429, Message: "integration paused at the CRM's request", Pause: s.pausedFor(id)}
			}
			break
		}
	}
	return errs
}

func (s *Stage) pause(id string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until := s.cfg.Now().Add(d)
	if until.After(s.paused[id]) {
		s.paused[id] = until
	}
}

func (s *Stage) isPaused(id string) bool { return s.pausedFor(id) > 0 }

func (s *Stage) pausedFor(id string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(s.paused[id].Sub(s.cfg.Now()), 0)
}

// adapter returns the integration's adapter, opened again when the
// integration changed.
func (s *Stage) adapter(in crm.Integration) (crm.Adapter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.adapters[in.ID]; ok && c.version.Equal(in.UpdatedAt) {
		return c.a, nil
	}
	k, ok := s.reg.Kind(in.CRM)
	if !ok {
		return nil, fmt.Errorf("integration %s: unknown crm %q", in.ID, in.CRM)
	}
	a, err := k.Open(in.Spec(), s.cfg.Client)
	if err != nil {
		return nil, fmt.Errorf("integration %s: %w", in.ID, err)
	}
	s.adapters[in.ID] = adapterAt{a, in.UpdatedAt}
	return a, nil
}
