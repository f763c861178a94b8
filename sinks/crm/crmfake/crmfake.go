// Package crmfake is what the CRM fakes (hubspotfake, salesforcefake,
// pipedrivefake) share: queued faults (an answer given instead of the
// next calls': 401, 409, 429 with headers, 5xx), slow and hanging answers,
// and a count of the calls. Test code only.
package crmfake

import (
	"net/http"
	"sync"
	"time"
)

// Fault is an answer given instead of a call's own.
type Fault struct {
	Status int
	Header map[string]string
	Body   string // JSON
}

// Faults holds the faults and delays of a fake.
type Faults struct {
	mu     sync.Mutex
	queue  []Fault
	delay  time.Duration
	hang   chan struct{} // non-nil: every call waits on it or its request
	calls  map[string]int
	inHang int
}

// Push queues faults, answered in order to the next calls.
func (f *Faults) Push(fs ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, fs...)
}

// Delay makes every call answer d late.
func (f *Faults) Delay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Hang makes every call wait until Release (or its client gives up).
func (f *Faults) Hang() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hang == nil {
		f.hang = make(chan struct{})
	}
}

// Release ends Hang: waiting calls and later ones answer.
func (f *Faults) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hang != nil {
		close(f.hang)
		f.hang = nil
	}
}

// Hanging returns how many calls wait in Hang now.
func (f *Faults) Hanging() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inHang
}

// Calls returns how many calls reached the fake per "METHOD path".
func (f *Faults) Calls(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[route]
}

// Intercept counts the call, waits out delays and hangs, and answers the
// next queued fault; it returns false when the call is the fake's to answer.
func (f *Faults) Intercept(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[r.Method+" "+r.URL.Path]++
	delay, hang := f.delay, f.hang
	if hang != nil {
		f.inHang++
	}
	f.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
		f.mu.Lock()
		f.inHang--
		f.mu.Unlock()
		if r.Context().Err() != nil {
			return true
		}
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return true
		}
	}
	f.mu.Lock()
	if len(f.queue) == 0 {
		f.mu.Unlock()
		return false
	}
	ft := f.queue[0]
	f.queue = f.queue[1:]
	f.mu.Unlock()
	for k, v := range ft.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ft.Status)
	w.Write([]byte(ft.Body))
	return true
}
