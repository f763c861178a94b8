package testutil

import (
	"testing"
	"time"
)

// DefaultTimeout is how long WaitFor and Eventually wait unless told
// otherwise: generous, because the machine is shared; it bounds how long a
// broken test hangs, not how fast anything must happen.
const DefaultTimeout = 2 * time.Minute

// DefaultInterval is how often the condition is polled unless told
// otherwise.
const DefaultInterval = 10 * time.Millisecond

// WaitOption changes one wait.
type WaitOption func(*wait)

type wait struct{ timeout, every time.Duration }

// Timeout sets how long to wait before failing the test.
func Timeout(d time.Duration) WaitOption { return func(w *wait) { w.timeout = d } }

// Every sets how often the condition is polled.
func Every(d time.Duration) WaitOption { return func(w *wait) { w.every = d } }

// WaitFor polls cond until it holds, failing the test with "timed out
// waiting for <what>" when the deadline passes first. Call it from the
// test's goroutine.
func WaitFor(t testing.TB, what string, cond func() bool, opts ...WaitOption) {
	t.Helper()
	Eventually(t, what, func() (bool, string) { return cond(), "" }, opts...)
}

// Eventually is WaitFor for a condition that also describes the state it
// saw; the failure message quotes the last description.
func Eventually(t testing.TB, what string, cond func() (ok bool, state string), opts ...WaitOption) {
	t.Helper()
	if msg, ok := poll(what, cond, opts); !ok {
		t.Fatal(msg)
	}
}

// poll runs the wait and returns the failure message when it timed out.
func poll(what string, cond func() (bool, string), opts []WaitOption) (string, bool) {
	w := wait{timeout: DefaultTimeout, every: DefaultInterval}
	for _, o := range opts {
		o(&w)
	}
	deadline := time.Now().Add(w.timeout)
	for {
		ok, state := cond()
		if ok {
			return "", true
		}
		if time.Now().After(deadline) {
			if state == "" {
				return "timed out waiting for " + what, false
			}
			return "timed out waiting for " + what + " (last: " + state + ")", false
		}
		time.Sleep(w.every)
	}
}
