package webhook

import (
	"context"
	"errors"
	"testing"
)

// gateSender blocks every attempt until its gate closes, and counts the
// attempts started.
type gateSender struct {
	gate    chan struct{}
	started chan string
}

func (s *gateSender) Deliver(ctx context.Context, ep Endpoint, msg Message) Result {
	s.started <- msg.ID
	select {
	case <-s.gate:
		return Result{EndpointID: ep.ID, MessageID: msg.ID, Outcome: OutcomeDelivered}
	case <-ctx.Done():
		return Result{EndpointID: ep.ID, MessageID: msg.ID, Outcome: OutcomeRetry, Err: ctx.Err()}
	}
}

// TestDispatcherSubmitIdleAndWithdraw: SubmitIdle never queues, and only
// starts a job on an idle worker; Withdraw takes back a queued job (which
// then never gets a result) and not a running one.
func TestDispatcherSubmitIdleAndWithdraw(t *testing.T) {
	s := &gateSender{gate: make(chan struct{}), started: make(chan string, 10)}
	var rs results
	d := newTestDispatcher(t, s, DispatcherConfig{Concurrency: 1, QueueLen: 5}, &rs)
	ep := Endpoint{ID: "ep"}
	job := func(i int, ticket uint64) Job {
		return Job{Endpoint: ep, Message: numbered(t, i), Attempt: 1, Ticket: ticket}
	}

	if err := d.SubmitIdle(job(0, 1)); err != nil {
		t.Fatalf("SubmitIdle on an idle endpoint = %v", err)
	}
	<-s.started // running: the only worker is busy
	if err := d.SubmitIdle(job(1, 2)); !errors.Is(err, ErrBusy) {
		t.Fatalf("SubmitIdle with the worker busy = %v, want ErrBusy", err)
	}
	if n := d.Pending("ep"); n != 1 {
		t.Fatalf("Pending = %d after a refused SubmitIdle, want 1 (nothing queued)", n)
	}
	queued := job(2, 3)
	if err := d.Submit(queued); err != nil {
		t.Fatal(err)
	}
	if err := d.SubmitIdle(job(3, 4)); !errors.Is(err, ErrBusy) {
		t.Fatalf("SubmitIdle with a job queued = %v, want ErrBusy", err)
	}
	if d.Withdraw(job(0, 1)) {
		t.Error("Withdraw took back a running job")
	}
	if d.Withdraw(job(2, 99)) {
		t.Error("Withdraw matched a job with another ticket")
	}
	if !d.Withdraw(queued) {
		t.Fatal("Withdraw did not take back the queued job")
	}
	if d.Withdraw(queued) {
		t.Error("Withdraw took back the same job twice")
	}
	close(s.gate)
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := rs.of("ep")
	if len(got) != 1 || got[0].MessageID != numbered(t, 0).ID || got[0].Outcome != OutcomeDelivered {
		t.Fatalf("results %+v, want only the running job's, delivered", got)
	}
	if err := d.SubmitIdle(job(4, 5)); !errors.Is(err, ErrClosed) {
		t.Errorf("SubmitIdle after Close = %v, want ErrClosed", err)
	}
}
