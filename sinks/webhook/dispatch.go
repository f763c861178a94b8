package webhook

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
	// ErrQueueFull: the endpoint's queue is at QueueLen. The endpoint is
	// slow or down; park the message for a later retry instead of waiting.
	ErrQueueFull = errors.New("webhook endpoint queue full")
	// ErrClosed: the Dispatcher is closing or closed.
	ErrClosed = errors.New("webhook dispatcher closed")
	// ErrBusy: SubmitIdle found every worker of the endpoint busy or jobs
	// waiting; the job was not queued.
	ErrBusy = errors.New("webhook endpoint has no idle worker")
)

// Job is one attempt to run: a message for an endpoint, and which attempt
// of that message this is (1 for the first).
type Job struct {
	Endpoint Endpoint
	Message  Message
	Attempt  int
	// Ticket tells apart the submissions of one message and attempt (a
	// batch redelivered while the first try still runs): the Dispatcher
	// only passes it back to OnResult and matches it in Withdraw.
	Ticket uint64
}

// DispatcherConfig configures a Dispatcher. Zero fields take the defaults.
type DispatcherConfig struct {
	// Concurrency is how many attempts run at once per endpoint; default 4.
	Concurrency int
	// QueueLen is how many jobs may wait per endpoint, beyond those
	// running; default 1000. Submit fails with ErrQueueFull beyond it.
	QueueLen int
}

// WithDefaults returns c with its unset fields set to the defaults.
func (c DispatcherConfig) WithDefaults() DispatcherConfig {
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.QueueLen == 0 {
		c.QueueLen = DefaultQueueLen
	}
	return c
}

// Validate reports every bad field at once, each error naming its key.
func (c DispatcherConfig) Validate() error {
	var errs []error
	if c.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency: must be >= 0, got %d", c.Concurrency))
	}
	if c.QueueLen < 0 {
		errs = append(errs, fmt.Errorf("queue_len: must be >= 0, got %d", c.QueueLen))
	}
	return errors.Join(errs...)
}

// Dispatcher runs delivery attempts with per-endpoint isolation: each
// endpoint has its own bounded queue and at most Concurrency attempts in
// flight, so an endpoint that hangs until its timeout only ever occupies
// its own workers, and a full queue is an immediate error instead of a
// wait that would hold up messages for other endpoints.
//
// Design: an endpoint's lane (queue plus worker count) exists only while it
// has work. Submit starts a worker when the lane has fewer than Concurrency;
// a worker that finds the queue empty exits, and the last one removes the
// lane. Both happen under one mutex, so no job is left without a worker
// and thousands of quiet endpoints cost nothing. A channel per endpoint was
// rejected: it allocates QueueLen slots up front and needs a goroutine
// parked on it for as long as the endpoint exists.
//
// Jobs are held in memory only. The caller must not treat a message as
// handled (commit its offset) until OnResult has been called for it.
type Dispatcher struct {
	send     Sender
	cfg      DispatcherConfig
	onResult func(Job, Result)

	ctx    context.Context // canceled by Close when its deadline passes
	cancel context.CancelFunc

	mu     sync.Mutex
	lanes  map[string]*lane
	closed bool
	wg     sync.WaitGroup
}

type lane struct {
	queue   []Job
	workers int
}

// NewDispatcher returns a Dispatcher that sends with s and calls onResult
// with every attempt's Result, from the worker that made it (onResult may
// block that endpoint's worker, and only it; it must not call Close).
func NewDispatcher(s Sender, cfg DispatcherConfig, onResult func(Job, Result)) (*Dispatcher, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook dispatcher config: %w", err)
	}
	if s == nil || onResult == nil {
		return nil, errors.New("webhook dispatcher: sender and onResult are required")
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Dispatcher{send: s, cfg: cfg, onResult: onResult, ctx: ctx, cancel: cancel, lanes: map[string]*lane{}}, nil
}

// Submit queues j on its endpoint's lane without blocking. It returns
// ErrQueueFull when that endpoint already has QueueLen jobs waiting, and
// ErrClosed after Close began; in both cases OnResult will not be called
// for j.
func (d *Dispatcher) Submit(j Job) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	return d.submitLocked(j)
}

// submitLocked queues j and starts a worker when its lane has room; d.mu
// is held.
func (d *Dispatcher) submitLocked(j Job) error {
	l := d.lanes[j.Endpoint.ID]
	if l == nil {
		l = &lane{}
		d.lanes[j.Endpoint.ID] = l
	}
	if len(l.queue) >= d.cfg.QueueLen {
		return fmt.Errorf("endpoint %s: %w (%d waiting)", j.Endpoint.ID, ErrQueueFull, len(l.queue))
	}
	l.queue = append(l.queue, j)
	if l.workers < d.cfg.Concurrency {
		l.workers++
		d.wg.Add(1)
		go d.work(j.Endpoint.ID, l)
	}
	return nil
}

// SubmitIdle starts j at once on an idle worker of its endpoint, or fails
// with ErrBusy, without queueing it, when the endpoint has Concurrency
// attempts running or jobs waiting (ErrClosed after Close began). OnResult
// is called for j only when it returns nil. It is how a caller keeps
// probing an endpoint it no longer waits for, never holding more than
// Concurrency of its attempts.
func (d *Dispatcher) SubmitIdle(j Job) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if l := d.lanes[j.Endpoint.ID]; l != nil && (len(l.queue) > 0 || l.workers >= d.cfg.Concurrency) {
		return fmt.Errorf("endpoint %s: %w", j.Endpoint.ID, ErrBusy)
	}
	return d.submitLocked(j)
}

// Withdraw removes j (matched by endpoint, message, attempt and Ticket)
// from its endpoint's queue and reports whether it did. It returns false
// when j already started (its OnResult call will come) or was never
// submitted; after a true, OnResult is never called for j.
func (d *Dispatcher) Withdraw(j Job) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.lanes[j.Endpoint.ID]
	if l == nil {
		return false
	}
	for i, q := range l.queue {
		if q.Ticket == j.Ticket && q.Attempt == j.Attempt && q.Message.ID == j.Message.ID {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			return true
		}
	}
	return false
}

// Pending returns how many jobs wait or run for endpoint id.
func (d *Dispatcher) Pending(id string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if l := d.lanes[id]; l != nil {
		return len(l.queue) + l.workers
	}
	return 0
}

func (d *Dispatcher) work(id string, l *lane) {
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
		l.queue[0] = Job{}
		l.queue = l.queue[1:]
		d.mu.Unlock()

		d.onResult(j, d.send.Deliver(d.ctx, j.Endpoint, j.Message))
	}
}

// Close stops accepting jobs and waits for the queued and running ones to
// finish. When ctx ends first, it cancels the running attempts, whose
// Results (and those of the jobs still queued) then report OutcomeRetry
// with a context error, and returns ctx's error once every worker exited.
// Every job Submit accepted gets its OnResult call before Close returns.
func (d *Dispatcher) Close(ctx context.Context) error {
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
		return fmt.Errorf("close webhook dispatcher: %w", ctx.Err())
	}
}
