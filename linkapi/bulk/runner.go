package bulk

import (
	"context"
	"fmt"
	"sync"

	"github.com/clicktrail/clicktrail/linkapi"
)

// Runner creates the links of bulk jobs in the background, one job at a
// time in the order they were posted. Run exactly one per link store, and
// hand it to the job routes in Config.Runner so that a posted job starts at
// once.
type Runner struct {
	j      *jobs
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	start sync.Once
	mu    sync.Mutex
	queue []string
	wake  chan struct{}
}

// NewRunner returns the job runner of api.Store. Once started (Start, or
// the first job posted to the routes) it resumes the jobs a previous
// process left unfinished (and their undelivered callbacks), then runs
// each job posted. api is the link API's configuration (the same Store,
// DefaultDomain, Destinations, OnLinkEvent, ...): every item goes through
// the checks of POST /v1/links (linkapi.Creator) and reports link.created
// like it. cfg.Runner is not used. Close stops it.
func NewRunner(api linkapi.APIConfig, cfg Config) (*Runner, error) {
	j, err := newJobs(api, cfg)
	if err != nil {
		return nil, fmt.Errorf("job runner config: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pending, err := j.store.unfinishedJobs(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("job runner: list unfinished jobs: %w", err)
	}
	r := &Runner{j: j, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
	for _, j := range pending {
		r.queue = append(r.queue, j.ID)
	}
	return r, nil
}

// Start starts running jobs, once everything OnLinkEvent and OnJobEvent
// need is ready. Calls after the first do nothing.
func (r *Runner) Start() {
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
func (r *Runner) Close() error {
	r.cancel()
	r.start.Do(func() {}) // no start after Close
	r.wg.Wait()
	return nil
}

// enqueue schedules job id.
func (r *Runner) enqueue(id string) {
	r.mu.Lock()
	r.queue = append(r.queue, id)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	r.Start()
}

func (r *Runner) next() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) == 0 {
		return "", false
	}
	id := r.queue[0]
	r.queue = r.queue[1:]
	return id, true
}

func (r *Runner) loop() {
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
func (r *Runner) run(id string) {
	s, log := r.j.store, r.j.log
	rec, err := s.getJob(r.ctx, id)
	if err != nil {
		if r.ctx.Err() == nil {
			log.Error("job runner: load job", "job_id", id, "err", err)
		}
		return
	}
	if !rec.Done() {
		if rec.Status == JobQueued {
			now := r.j.api.Now().UTC()
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
		now := r.j.api.Now().UTC()
		rec.FinishedAt = &now
		rec.CallbackPending = rec.CallbackURL != ""
		if err := s.finishJob(r.ctx, rec); err != nil {
			log.Error("job runner: finish job", "job_id", id, "err", err)
			return
		}
		if r.j.cfg.OnJobEvent != nil {
			job := rec.Job
			r.j.cfg.OnJobEvent(jobEventType(&job), &job)
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
func (r *Runner) process(rec *jobRecord) error {
	p := &linkapi.Principal{WorkspaceID: rec.WorkspaceID, KeyID: rec.KeyID, Scopes: rec.Scopes, RemoteAddr: rec.RemoteAddr}
	ctx := linkapi.WithLookups(r.ctx, newJobLookups(r.j.api.Store))
	resolve := newResolveMemo(r.j.api.Destinations.Resolve).resolve // one lookup per host per job
	rule, err := r.j.create.LinkRule(ctx, rec.WorkspaceID, resolve)
	if err != nil {
		return fmt.Errorf("bulk job %s: read its workspace: %w", rec.ID, err)
	}
	em := newEmitter(&r.j.api)
	defer em.close()
	c := &chunkRun{r: r, rec: rec, id: rec.ID, total: rec.Total, workspace: rec.WorkspaceID, onConflict: rec.OnConflict,
		ctx: ctx, p: p, rule: rule, em: em}

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
	s, id := c.r.j.store, c.id
	n := min(JobChunkItems, c.total-first)
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
