package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/clicktrail/clicktrail/internal/lanes"
)

// Defaults of DispatcherConfig.
const (
	DefaultConcurrency = lanes.DefaultConcurrency
	DefaultQueueLen    = lanes.DefaultQueueLen
)

// Errors of Dispatcher.Submit (package lanes').
var (
	// ErrQueueFull: the endpoint's queue is at QueueLen. The endpoint is
	// slow or down; park the message for a later retry instead of waiting.
	ErrQueueFull = lanes.ErrQueueFull
	// ErrClosed: the Dispatcher is closing or closed.
	ErrClosed = lanes.ErrClosed
	// ErrBusy: SubmitIdle found every worker of the endpoint busy or jobs
	// waiting; the job was not queued.
	ErrBusy = lanes.ErrBusy
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

// DispatcherConfig configures a Dispatcher: Concurrency (default 4)
// attempts at once per endpoint, QueueLen (default 1000) waiting.
type DispatcherConfig = lanes.Config

// Dispatcher runs delivery attempts with per-endpoint isolation (package
// lanes): each endpoint has its own bounded queue and at most Concurrency
// attempts in flight, so an endpoint that hangs until its timeout only
// ever occupies its own workers, and a full queue is an immediate error
// instead of a wait that would hold up messages for other endpoints.
//
// Jobs are held in memory only. The caller must not treat a message as
// handled (commit its offset) until OnResult has been called for it.
type Dispatcher struct {
	*lanes.Dispatcher[Job, Result]
}

// NewDispatcher returns a Dispatcher that sends with s and calls onResult
// with every attempt's Result, from the worker that made it (onResult may
// block that endpoint's worker, and only it; it must not call Close).
func NewDispatcher(s Sender, cfg DispatcherConfig, onResult func(Job, Result)) (*Dispatcher, error) {
	if s == nil {
		return nil, errors.New("webhook dispatcher: sender and onResult are required")
	}
	d, err := lanes.New(cfg, lanes.Funcs[Job, Result]{
		Run:    func(ctx context.Context, j Job) Result { return s.Deliver(ctx, j.Endpoint, j.Message) },
		Target: func(j Job) string { return j.Endpoint.ID },
		Same: func(a, b Job) bool {
			return a.Ticket == b.Ticket && a.Attempt == b.Attempt && a.Message.ID == b.Message.ID
		},
		OnResult: onResult,
		What:     "endpoint",
	})
	if err != nil {
		return nil, fmt.Errorf("webhook %w", err)
	}
	return &Dispatcher{d}, nil
}
