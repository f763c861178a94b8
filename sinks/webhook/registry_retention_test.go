package webhook

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/internal/testutil"
	"github.com/clicktrail/clicktrail/schemas"
)

func TestSweepDeletesExpiredDeliveries(t *testing.T) {
	day := 24 * time.Hour
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		batch     int
		now       time.Duration // sweep at t0+now
		wantLeft  []int         // indexes of the attempts left, by age below
		wantSwept int
	}{
		{"nothing expired", defaultSweepBatch, 20 * day, []int{0, 1, 2, 3, 4, 5}, 0},
		{"expired ones of every endpoint", defaultSweepBatch, 45 * day, []int{4, 5}, 4},
		{"in small batches", 1, 45 * day, []int{4, 5}, 4},
		{"everything", 2, 400 * day, nil, 6},
	}
	// Attempts: two endpoints, at t0, t0+10d and t0+20d each.
	ages := []time.Duration{0, 0, 10 * day, 10 * day, 20 * day, 20 * day}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := testutil.NewClock(t0)
			r, err := OpenRegistry(RegistryConfig{Dir: t.TempDir(), Now: clock.Now, Retention: 30 * day})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			r.sweepBatch = tt.batch
			var eps []string
			for _, u := range []string{"https://a.example.com/", "https://b.example.com/"} {
				e, err := r.Create(EndpointSpec{URL: u, Events: []string{schemas.EventClickCreated}})
				if err != nil {
					t.Fatal(err)
				}
				eps = append(eps, e.ID)
			}
			var msgs []Message
			for i, age := range ages {
				msg := Message{ID: fmt.Sprintf("msg-%d", i), Type: schemas.EventClickCreated, Body: []byte(`{}`)}
				msgs = append(msgs, msg)
				res := Result{EndpointID: eps[i%2], MessageID: msg.ID, Attempted: t0.Add(age), Outcome: OutcomeDelivered, Status: 204}
				if _, err := r.RecordAttempt(res, 1, msg); err != nil {
					t.Fatal(err)
				}
			}
			clock.Set(t0.Add(tt.now))
			n, err := r.Sweep()
			if err != nil || n != tt.wantSwept {
				t.Fatalf("Sweep = %d, %v; want %d", n, err, tt.wantSwept)
			}
			ds, err := r.Deliveries(DeliveryQuery{})
			if err != nil {
				t.Fatal(err)
			}
			left := map[string]bool{}
			for _, d := range ds {
				left[d.MessageID] = true
			}
			if len(ds) != len(tt.wantLeft) {
				t.Errorf("%d entries left, want %d", len(ds), len(tt.wantLeft))
			}
			for _, i := range tt.wantLeft {
				if !left[msgs[i].ID] {
					t.Errorf("entry of %s swept, want kept", msgs[i].ID)
				}
			}
			for i, m := range msgs {
				_, err := r.Message(m.ID)
				kept := left[m.ID]
				if kept != (err == nil) || (!kept && !errors.Is(err, ErrNotFound)) {
					t.Errorf("message %d: kept %v, body lookup %v", i, kept, err)
				}
				if r.Attempted(eps[i%2], m.ID) != kept {
					t.Errorf("message %d: Attempted mark %v, want %v", i, !kept, kept)
				}
			}
			if n, err := r.Sweep(); n != 0 || err != nil {
				t.Errorf("second sweep = %d, %v; want nothing left to do", n, err)
			}
		})
	}
}
