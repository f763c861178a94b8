package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/lanes"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/retry"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/crm"
)

// Topics of the CRM stage (before any deployment prefix).
const (
	RetryTopic = "crm.retry.v1"
	DLQTopic   = "crm.dlq.v1"
)

// Headers of the parked records; the value is the crm.Event as JSON.
const (
	HeaderIntegration = "crm.integration"
	HeaderEvent       = "crm.event_id"
	HeaderType        = "crm.type"
	HeaderAttempt     = "crm.attempt"
	HeaderNotBefore   = "crm.not_before"
)

var codec = retry.Codec{Target: HeaderIntegration, ID: HeaderEvent, Type: HeaderType, Attempt: HeaderAttempt, NotBefore: HeaderNotBefore}

// Defaults of Config.
const (
	DefaultAttemptBudget = time.Second
	DefaultBatch         = 100
)

// Config configures the stage.
type Config struct {
	Registry *crm.Registry   // required
	Client   *http.Client    // required: dials only public addresses (Options.Client)
	Out      record.Producer // required: retries and dead letters, durable when Produce returns nil
	// RetryTopic is the retry topic of attempts due at once and the prefix
	// of the per-step topics; default RetryTopic.
	RetryTopic, DLQTopic string
	Schedule             retry.Schedule // zero: retry.DefaultSchedule
	Lanes                lanes.Config   // per integration
	AttemptBudget        time.Duration  // default DefaultAttemptBudget
	Batch                int            // events per adapter call, default DefaultBatch
	ShortURL             func(*schemas.EnrichedClick) string
	Now                  func() time.Time
	Logger               *slog.Logger
}

// Stage is the CRM stage; see the package doc.
type Stage struct {
	cfg  Config
	reg  *crm.Registry
	log  *slog.Logger
	disp *lanes.Dispatcher[*job, []error]

	tickets atomic.Uint64

	mu       sync.Mutex
	waiters  map[uint64]chan []error
	adapters map[string]adapterAt       // by integration id
	paused   map[string]time.Time       // integration -> until
	inflight map[string]map[string]bool // integration -> event ids being written
	slow     map[string]bool            // integrations not waited for (see run)
}

type adapterAt struct {
	a       crm.Adapter
	version time.Time
}

// item is one event for one integration, and which attempt it is.
type item struct {
	ev      crm.Event
	attempt int
}

type job struct {
	integ  crm.Integration
	items  []item
	ticket uint64
}

// New returns the stage. Close it to stop its lanes.
func New(cfg Config) (*Stage, error) {
	var errs []error
	if cfg.Registry == nil {
		errs = append(errs, errors.New("registry: required"))
	}
	if cfg.Client == nil {
		errs = append(errs, errors.New("client: required"))
	}
	if cfg.Out == nil {
		errs = append(errs, errors.New("out: required"))
	}
	if cfg.Schedule.Delays == nil {
		cfg.Schedule = retry.DefaultSchedule()
	}
	if err := cfg.Schedule.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("schedule: %w", err))
	}
	if cfg.AttemptBudget < 0 {
		errs = append(errs, fmt.Errorf("attempt_budget: must be >= 0, got %s", cfg.AttemptBudget))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("crm stage config: %w", err)
	}
	if cfg.RetryTopic == "" {
		cfg.RetryTopic = RetryTopic
	}
	if cfg.DLQTopic == "" {
		cfg.DLQTopic = DLQTopic
	}
	if cfg.AttemptBudget == 0 {
		cfg.AttemptBudget = DefaultAttemptBudget
	}
	cfg.Lanes = cfg.Lanes.WithDefaults()
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.ShortURL == nil {
		cfg.ShortURL = handler.DefaultShortURL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Stage{cfg: cfg, reg: cfg.Registry, log: logs.OrDiscard(cfg.Logger), waiters: map[uint64]chan []error{},
		adapters: map[string]adapterAt{}, paused: map[string]time.Time{}, inflight: map[string]map[string]bool{}, slow: map[string]bool{}}
	d, err := lanes.New(cfg.Lanes, lanes.Funcs[*job, []error]{
		Run: s.write, Target: func(j *job) string { return j.integ.ID }, Same: func(a, b *job) bool { return a == b },
		OnResult: s.onResult, What: "integration",
	})
	if err != nil {
		return nil, fmt.Errorf("crm stage: %w", err)
	}
	s.disp = d
	return s, nil
}

// Close stops the lanes, waiting for running writes until ctx ends.
func (s *Stage) Close(ctx context.Context) error { return s.disp.Close(ctx) }

// RetryTopics are the topics Retries must consume.
func (s *Stage) RetryTopics() []string { return retry.Topics(s.cfg.RetryTopic, s.cfg.Schedule) }

// Clicks returns the handler of enriched clicks: each click with a contact
// goes to the workspace's integrations subscribed to click.created.
// Undecodable records are dead-lettered.
func (s *Stage) Clicks() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		var evs []crm.Event
		var dead []record.Record
		for _, r := range batch {
			c, err := schemas.DecodeEnrichedClick(r.Value)
			if err != nil {
				dead = append(dead, s.dead(handler.DeadLetter(s.log, "crm", r, err)))
				continue
			}
			if e, ok := crm.ClickEvent(c, s.cfg.ShortURL(c)); ok {
				evs = append(evs, e)
			}
		}
		return s.deliver(ctx, evs, dead)
	}
}

// LinkEvents returns the handler of link.events.v1: conversion.attributed
// events with a contact go to the integrations subscribed to them; other
// events are passed over without decoding.
func (s *Stage) LinkEvents() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		var evs []crm.Event
		var dead []record.Record
		for _, r := range batch {
			if typ, _, ok := handler.EventHeaders(r); ok && typ != schemas.EventConversionAttributed {
				continue
			}
			le, err := schemas.DecodeLinkEvent(r.Value)
			if err == nil && le.Type != schemas.EventConversionAttributed {
				continue
			}
			var e crm.Event
			var ok bool
			if err == nil {
				e, ok, err = crm.ConversionEvent(le)
			}
			if err != nil {
				dead = append(dead, s.dead(handler.DeadLetter(s.log, "crm", r, err)))
				continue
			}
			if ok {
				evs = append(evs, e)
			}
		}
		return s.deliver(ctx, evs, dead)
	}
}

func (s *Stage) dead(r record.Record) record.Record {
	r.Topic = s.cfg.DLQTopic
	return r
}

// deliver fans evs out to their integrations and runs the jobs.
func (s *Stage) deliver(ctx context.Context, evs []crm.Event, dead []record.Record) error {
	byInteg := map[string]*job{}
	var jobs []*job
	for _, e := range evs {
		for _, in := range s.reg.Subscribed(e.WorkspaceID, e.Type) {
			j := byInteg[in.ID]
			if j == nil {
				j = &job{integ: in}
				byInteg[in.ID] = j
				jobs = append(jobs, j)
			}
			j.items = append(j.items, item{ev: e, attempt: 1})
		}
	}
	return s.run(ctx, jobs, dead)
}

// Retries returns the handler of the retry topics: each record waits for
// its not-before time (bounded by ctx), then its event is written again to
// its integration's current configuration. Records of a deleted
// integration are dropped, of a disabled one dead-lettered.
func (s *Stage) Retries() record.Handler {
	return func(ctx context.Context, batch []record.Record) error {
		var jobs []*job
		var dead []record.Record
		byInteg := map[string]*job{}
		for _, r := range batch {
			p, err := codec.Decode(r)
			var e crm.Event
			if err == nil {
				err = json.Unmarshal(p.Body, &e)
			}
			if err != nil {
				dead = append(dead, record.DeadLetter("crm-retry", r, err, s.cfg.DLQTopic))
				continue
			}
			if p.NotBefore.After(s.cfg.Now()) {
				if err := s.run(ctx, jobs, dead); err != nil {
					return err
				}
				jobs, dead, byInteg = nil, nil, map[string]*job{}
				if err := retry.SleepUntil(ctx, p.NotBefore, s.cfg.Now); err != nil {
					return fmt.Errorf("wait for crm retry of %s: %w", p.ID, err)
				}
			}
			in, err := s.reg.Get(p.Target)
			switch {
			case errors.Is(err, crm.ErrNotFound):
				s.log.Info("crm retry dropped: integration deleted", "integration", p.Target, "event", p.ID)
				continue
			case err != nil:
				return fmt.Errorf("crm retry of %s: %w", p.ID, err)
			case !in.Enabled:
				dead = append(dead, record.DeadLetter("crm-retry", r, fmt.Errorf("integration %s disabled", in.ID), s.cfg.DLQTopic))
				continue
			}
			j := byInteg[in.ID]
			if j == nil {
				j = &job{integ: in}
				byInteg[in.ID] = j
				jobs = append(jobs, j)
			}
			j.items = append(j.items, item{ev: e, attempt: p.Attempt})
		}
		return s.run(ctx, jobs, dead)
	}
}
