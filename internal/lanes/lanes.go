// Package lanes runs jobs with per-target isolation: each target (a
// webhook endpoint, a CRM integration) has its own bounded queue and at
// most Concurrency jobs in flight, so a target that hangs occupies only
// its own workers and a full queue is an immediate error. Used by the
// webhook sink (webhook.Dispatcher) and the CRM sink (sinks/crm/stage).
package lanes

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Defaults of DispatcherConfig.
const (
	DefaultConcurrency = 4
	DefaultQueueLen    = 1000
)

// Errors of Dispatcher.Submit.
var (
	// ErrQueueFull: the target's queue is at QueueLen. The target is
	// slow or down; park the message for a later retry instead of waiting.
	ErrQueueFull = errors.New("queue full")
	// ErrClosed: the Dispatcher is closing or closed.
	ErrClosed = errors.New("dispatcher closed")
	// ErrBusy: SubmitIdle found every worker of the target busy or jobs
	// waiting; the job was not queued.
	ErrBusy = errors.New("no idle worker")
)

// Config configures a Dispatcher. Zero fields take the defaults.
type Config struct {
	// Concurrency is how many attempts run at once per target; default 4.
	Concurrency int
	// QueueLen is how many jobs may wait per target, beyond those
	// running; default 1000. Submit fails with ErrQueueFull beyond it.
	QueueLen int
}

// WithDefaults returns c with its unset fields set to the defaults.
func (c Config) WithDefaults() Config {
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.QueueLen == 0 {
		c.QueueLen = DefaultQueueLen
	}
	return c
}

// Validate reports every bad field at once, each error naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency: must be >= 0, got %d", c.Concurrency))
	}
	if c.QueueLen < 0 {
		errs = append(errs, fmt.Errorf("queue_len: must be >= 0, got %d", c.QueueLen))
	}
	return errors.Join(errs...)
}

// Dispatcher runs jobs (J) with per-target isolation: each
// target has its own bounded queue and at most Concurrency attempts in
// flight, so an target that hangs until its timeout only ever occupies
// its own workers, and a full queue is an immediate error instead of a
// wait that would hold up messages for other targets.
//
// Design: an target's lane (queue plus worker count) exists only while it
// has work. Submit starts a worker when the lane has fewer than Concurrency;
// a worker that finds the queue empty exits, and the last one removes the
// lane. Both happen under one mutex, so no job is left without a worker
// and thousands of quiet targets cost nothing. A channel per target was
// rejected: it allocates QueueLen slots up front and needs a goroutine
// parked on it for as long as the target exists.
//
// Jobs are held in memory only. The caller must not treat a message as
// handled (commit its offset) until OnResult has been called for it.
type Dispatcher[J, R any] struct {
	run      func(context.Context, J) R
	target   func(J) string
	same     func(a, b J) bool
	what     string // the targets' name in errors: "endpoint", "integration"
	cfg      Config
	onResult func(J, R)

	ctx    context.Context // canceled by Close when its deadline passes
	cancel context.CancelFunc

	mu     sync.Mutex
	lanes  map[string]*lane[J]
	closed bool
	wg     sync.WaitGroup
}

type lane[J any] struct {
	queue   []J
	workers int
}

// Funcs are what a Dispatcher does with its jobs.
type Funcs[J, R any] struct {
	// Run runs one job; its ctx is canceled when Close's deadline passes.
	Run func(context.Context, J) R
	// Target names a job's lane.
	Target func(J) string
	// Same tells whether two jobs are one submission (for Withdraw).
	Same func(a, b J) bool
	// OnResult gets every result, from the worker that ran the job (it may
	// block that target's worker, and only it; it must not call Close).
	OnResult func(J, R)
	// What names the targets in errors ("endpoint").
	What string
}

// New returns a Dispatcher that runs jobs with f.Run and calls f.OnResult
// with every result.
func New[J, R any](cfg Config, f Funcs[J, R]) (*Dispatcher[J, R], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("dispatcher config: %w", err)
	}
	if f.Run == nil || f.Target == nil || f.Same == nil || f.OnResult == nil {
		return nil, errors.New("dispatcher: run, target, same and onResult are required")
	}
	if f.What == "" {
		f.What = "target"
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Dispatcher[J, R]{run: f.Run, target: f.Target, same: f.Same, what: f.What, cfg: cfg, onResult: f.OnResult,
		ctx: ctx, cancel: cancel, lanes: map[string]*lane[J]{}}, nil
}

// Submit queues j on its target's lane without blocking. It returns
// ErrQueueFull when that target already has QueueLen jobs waiting, and
// ErrClosed after Close began; in both cases OnResult will not be called
// for j.
func (d *Dispatcher[J, R]) Submit(j J) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	return d.submitLocked(j)
}

// submitLocked queues j and starts a worker when its lane has room; d.mu
// is held.
func (d *Dispatcher[J, R]) submitLocked(j J) error {
	id := d.target(j)
	l := d.lanes[id]
	if l == nil {
		l = &lane[J]{}
		d.lanes[id] = l
	}
	if len(l.queue) >= d.cfg.QueueLen {
		return fmt.Errorf("%s %s: %w (%d waiting)", d.what, id, ErrQueueFull, len(l.queue))
	}
	l.queue = append(l.queue, j)
	if l.workers < d.cfg.Concurrency {
		l.workers++
		d.wg.Add(1)
		go d.work(id, l)
	}
	return nil
}

// SubmitIdle starts j at once on an idle worker of its target, or fails
// with ErrBusy, without queueing it, when the target has Concurrency
// attempts running or jobs waiting (ErrClosed after Close began). OnResult
// is called for j only when it returns nil. It is how a caller keeps
// probing a target it no longer waits for, never holding more than
// Concurrency of its attempts.
func (d *Dispatcher[J, R]) SubmitIdle(j J) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if l := d.lanes[d.target(j)]; l != nil && (len(l.queue) > 0 || l.workers >= d.cfg.Concurrency) {
		return fmt.Errorf("%s %s: %w", d.what, d.target(j), ErrBusy)
	}
	return d.submitLocked(j)
}

// Withdraw removes j (matched by Funcs.Same)
// from its target's queue and reports whether it did. It returns false
// when j already started (its OnResult call will come) or was never
// submitted; after a true, OnResult is never called for j.
func (d *Dispatcher[J, R]) Withdraw(j J) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.lanes[d.target(j)]
	if l == nil {
		return false
	}
	for i, q := range l.queue {
		if d.same(q, j) {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			return true
		}
	}
	return false
}

// Lanes returns how many targets have jobs waiting or running.
func (d *Dispatcher[J, R]) Lanes() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.lanes)
}

// Pending returns how many jobs wait or run for target id.
func (d *Dispatcher[J, R]) Pending(id string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if l := d.lanes[id]; l != nil {
		return len(l.queue) + l.workers
	}
	return 0
}

func (d *Dispatcher[J, R]) work(id string, l *lane[J]) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		if len(l.queue) == 0 {
			l.workers--
			if l.workers == 0 {
				delete(d.lanes, id)
			}
			d.mu.Unlock()
			return
		}
		j := l.queue[0]
		var zero J
		l.queue[0] = zero
		l.queue = l.queue[1:]
		d.mu.Unlock()

		d.onResult(j, d.run(d.ctx, j))
	}
}

// Close stops accepting jobs and waits for the queued and running ones to
// finish. When ctx ends first, it cancels the running attempts, whose
// Results (and those of the jobs still queued) then report OutcomeRetry
// with a context error, and returns ctx's error once every worker exited.
// Every job Submit accepted gets its OnResult call before Close returns.
func (d *Dispatcher[J, R]) Close(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()

	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		d.cancel()
		return nil
	case <-ctx.Done():
		d.cancel()
		<-done
		return fmt.Errorf("close dispatcher: %w", ctx.Err())
	}
}
