package linkapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// JobRunner creates the links of bulk jobs in the background, one job at a
// time in the order they were posted. Run exactly one per link store, and
// hand it to the link API in APIConfig.Jobs.Runner so that a posted job
// starts at once.
type JobRunner struct {
	a      *api
	jobs   JobsConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	start sync.Once
	mu    sync.Mutex
	queue []string
	wake  chan struct{}
}

// NewJobRunner returns the job runner of cfg.Store. Once started (Start,
// or the first job posted to the API) it resumes the jobs a previous
// process left unfinished (and their undelivered callbacks), then runs
// each job posted. cfg is the link API's configuration (the same Store,
// DefaultDomain, Destinations, OnLinkEvent, ...): every item goes through
// the checks of POST /v1/links and reports link.created like it. Close
// stops it.
func NewJobRunner(cfg APIConfig) (*JobRunner, error) {
	if err := errors.Join(cfg.Validate(), cfg.Jobs.Validate("Jobs")); err != nil {
		return nil, fmt.Errorf("job runner config: %w", err)
	}
	if cfg.ShortURLScheme == "" {
		cfg.ShortURLScheme = "https"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := newAPI(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	pending, err := a.jobs.unfinishedJobs(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("job runner: list unfinished jobs: %w", err)
	}
	r := &JobRunner{a: a, jobs: cfg.Jobs.withDefaults(), ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
	for _, j := range pending {
		r.queue = append(r.queue, j.ID)
	}
	return r, nil
}

// Start starts running jobs, once everything OnLinkEvent and OnJobEvent
// need is ready. Calls after the first do nothing.
func (r *JobRunner) Start() {
	r.start.Do(func() {
		if r.ctx.Err() != nil { // closed before it started
			return
		}
		r.wg.Add(1)
		go r.loop()
	})
}

// Close stops the runner after the batch in progress and waits for it (and
// for callbacks being delivered) to stop. An unfinished job resumes where
// it stopped when a runner opens the store again. Close the runner before
// the store. Calls after the first do nothing.
func (r *JobRunner) Close() error {
	r.cancel()
	r.start.Do(func() {}) // no start after Close
	r.wg.Wait()
	return nil
}

// enqueue schedules job id.
func (r *JobRunner) enqueue(id string) {
	r.mu.Lock()
	r.queue = append(r.queue, id)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	r.Start()
}

func (r *JobRunner) next() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) == 0 {
		return "", false
	}
	id := r.queue[0]
	r.queue = r.queue[1:]
	return id, true
}

func (r *JobRunner) loop() {
	defer r.wg.Done()
	for r.ctx.Err() == nil {
		id, ok := r.next()
		if !ok {
			select {
			case <-r.ctx.Done():
			case <-r.wake:
			}
			continue
		}
		r.run(id)
	}
}

// run takes job id to its end, or until the runner stops.
func (r *JobRunner) run(id string) {
	s, log := r.a.jobs, r.a.log
	rec, err := s.getJob(r.ctx, id)
	if err != nil {
		if r.ctx.Err() == nil {
			log.Error("job runner: load job", "job_id", id, "err", err)
		}
		return
	}
	if !rec.Done() {
		if rec.Status == JobQueued {
			now := r.a.cfg.Now().UTC()
			rec.Status, rec.StartedAt = JobRunning, &now
			if err := s.putJob(r.ctx, rec); err != nil {
				log.Error("job runner: start job", "job_id", id, "err", err)
				return
			}
		}
		err := r.process(rec)
		if r.ctx.Err() != nil {
			return // stopped: the job resumes at the next start
		}
		rec.Status = JobSucceeded
		if err != nil {
			log.Error("job runner: job failed", "job_id", id, "err", err)
			rec.Status, rec.Error = JobFailed, err.Error()
		}
		now := r.a.cfg.Now().UTC()
		rec.FinishedAt = &now
		rec.CallbackPending = rec.CallbackURL != ""
		if err := s.finishJob(r.ctx, rec); err != nil {
			log.Error("job runner: finish job", "job_id", id, "err", err)
			return
		}
		if r.jobs.OnJobEvent != nil {
			job := rec.Job
			r.jobs.OnJobEvent(jobEventType(&job), &job)
		}
	}
	if rec.CallbackPending {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.deliverCallback(rec)
		}()
	}
}

func jobEventType(j *Job) string {
	if j.Status == JobSucceeded {
		return EventJobSucceeded
	}
	return EventJobFailed
}

// process creates the items of rec that have no outcome yet, chunk by
// chunk. It returns an error only when the job cannot go on (storage).
//
// Three stages overlap: the next chunk is read, decoded and checked
// (CPU, DNS) while the current one is written (store batches), and the
// link.created callbacks of a written round run while the next round is
// written. process returns once every callback has returned.
func (r *JobRunner) process(rec *jobRecord) error {
	p := &Principal{WorkspaceID: rec.WorkspaceID, KeyID: rec.KeyID, Scopes: rec.Scopes, RemoteAddr: rec.RemoteAddr}
	ctx := withJobLookups(context.WithValue(r.ctx, principalKey{}, p))
	policy := r.a.cfg.Destinations
	policy.Resolve = newResolveMemo(policy.Resolve).resolve // one lookup per host per job
	ws, err := r.a.tenants.GetWorkspace(ctx, rec.WorkspaceID)
	if err != nil {
		return fmt.Errorf("bulk job %s: read its workspace: %w", rec.ID, err)
	}
	rule := policy.rule(ws)
	em := newEmitter(&r.a.cfg)
	defer em.close()
	c := &chunkRun{r: r, rec: rec, ctx: ctx, rule: &rule, em: em}

	next := make(chan preparedChunk, 1)
	prepare := func(first int) { next <- c.prepareChunk(first) }
	go prepare(0)
	for first := 0; first < rec.Total; first += JobChunkItems {
		pc := <-next
		if more := first+JobChunkItems < rec.Total; more && pc.err == nil {
			go prepare(first + JobChunkItems)
		}
		if pc.err != nil {
			return pc.err
		}
		if err := c.rounds(pc.items); err != nil {
			if first+JobChunkItems < rec.Total {
				<-next // the next chunk's preparation
			}
			return err
		}
	}
	return nil
}

// preparedChunk is a chunk's items without an outcome, decoded and checked.
type preparedChunk struct {
	items []*chunkItem
	err   error
}

// prepareChunk reads the chunk of items from first and prepares the ones
// that have no outcome.
func (c *chunkRun) prepareChunk(first int) preparedChunk {
	s, id := c.r.a.jobs, c.rec.ID
	n := min(JobChunkItems, c.rec.Total-first)
	done, err := s.itemsDone(id, first, n)
	if err != nil {
		return preparedChunk{err: err}
	}
	if allTrue(done) {
		return preparedChunk{}
	}
	raw, err := s.jobChunk(id, first)
	if err != nil {
		return preparedChunk{err: err}
	}
	if len(raw) != n {
		return preparedChunk{err: fmt.Errorf("job %s items from %d: want %d, stored %d", id, first, n, len(raw))}
	}
	return preparedChunk{items: c.prepare(first, raw, done)}
}

func allTrue(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return true
}
