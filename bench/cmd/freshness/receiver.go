package main

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/webhooksig"
)

// receiver is the webhook endpoint: it verifies each message with the
// shipped verifier and records when each click's webhook first arrived.
type receiver struct {
	mu       sync.Mutex
	secret   string
	received map[string]time.Time // webhook-id -> first arrival
	dups     int
	bad      int // failed verification or not a click.created for its id
	lastBad  string
}

func newReceiver() *receiver { return &receiver{received: map[string]time.Time{}} }

func (rc *receiver) setSecret(s string) {
	rc.mu.Lock()
	rc.secret = s
	rc.mu.Unlock()
}

// ServeHTTP answers 204 to every verified message, 400 to the others (the
// node then retries, which shows up as a late delivery, not a lost one).
func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err == nil {
		err = webhooksig.Verify([]string{rc.secret}, r.Header, body, at, 0)
	}
	id := r.Header.Get(webhooksig.HeaderID)
	if err == nil {
		var p struct {
			Type string `json:"type"`
			Data struct {
				ClickID string `json:"click_id"`
			} `json:"data"`
		}
		if err = json.Unmarshal(body, &p); err == nil && (p.Type != "click.created" || p.Data.ClickID != id) {
			err = errMismatch
		}
	}
	if err != nil {
		rc.bad++
		rc.lastBad = err.Error()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if _, seen := rc.received[id]; seen {
		rc.dups++
	} else {
		rc.received[id] = at
	}
	w.WriteHeader(http.StatusNoContent)
}

var errMismatch = errors.New("payload is not the click.created of its webhook-id")

// snapshot returns a copy of the arrivals and the counters.
func (rc *receiver) snapshot() (map[string]time.Time, int, int, string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	m := make(map[string]time.Time, len(rc.received))
	for k, v := range rc.received {
		m[k] = v
	}
	return m, rc.dups, rc.bad, rc.lastBad
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.received)
}

// serve listens on addr and returns the receiver's URL and a stop func.
func (rc *receiver) serve(addr string) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/hooks", func() { srv.Close() }, nil
}
