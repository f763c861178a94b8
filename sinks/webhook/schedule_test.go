package webhook

import (
	"testing"
	"time"
)

const schedMsgID = "0193a6f2-7c1e-7b3a-9f00-00000000c11c"

// TestDefaultScheduleExact pins the jittered delays of one message: the
// jitter is a function of the message id and attempt, so they never change.
func TestDefaultScheduleExact(t *testing.T) {
	s := DefaultSchedule()
	if s.MaxAttempts() != 8 {
		t.Fatalf("MaxAttempts = %d, want 8", s.MaxAttempts())
	}
	for i, w := range pinned {
		got, ok := s.Delay(i+1, schedMsgID)
		if !ok || got != w {
			t.Errorf("Delay(%d) = %s, %v; want %s", i+1, got, ok, w)
		}
		base := DefaultDelays[i]
		lo, hi := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.2)
		if got < lo || got > hi {
			t.Errorf("Delay(%d) = %s, outside %s±20%%", i+1, got, base)
		}
	}
	if d, ok := s.Delay(8, schedMsgID); ok {
		t.Errorf("Delay(8) = %s, want none: the eighth attempt is the last", d)
	}
	if d, ok := s.Delay(0, schedMsgID); ok {
		t.Errorf("Delay(0) = %s, want none", d)
	}
}

// pinned are the delays of schedMsgID under DefaultSchedule.
var pinned = []time.Duration{
	5158946705, 303922677827, 1631509685998, 7807402284031, 15285584220249, 31778865397595, 38846167232098,
}

func TestJitterSpreadsMessages(t *testing.T) {
	s := DefaultSchedule()
	var below, above int
	for i := range 2000 {
		id := schedMsgID[:30] + time.Duration(i).String()
		d, _ := s.Delay(1, id)
		f := float64(d) / float64(5*time.Second)
		if f < 0.8 || f > 1.2 {
			t.Fatalf("message %d: factor %f outside ±20%%", i, f)
		}
		if f < 0.9 {
			below++
		}
		if f > 1.1 {
			above++
		}
	}
	// Uniform jitter puts a quarter on each outer side; demand a fifth.
	if below < 400 || above < 400 {
		t.Errorf("jitter is lopsided: %d below -10%%, %d above +10%% of 2000", below, above)
	}
	d1, _ := s.Delay(1, schedMsgID)
	d2, _ := DefaultSchedule().Delay(1, schedMsgID)
	if d1 != d2 {
		t.Errorf("Delay is not deterministic: %s then %s", d1, d2)
	}
}

func TestNextAttempt(t *testing.T) {
	s := DefaultSchedule()
	end := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	last := func(o Outcome, retryAfter time.Duration) Result {
		return Result{MessageID: schedMsgID, Attempted: end.Add(-time.Second), Latency: time.Second, Outcome: o, RetryAfter: retryAfter}
	}
	tests := []struct {
		name    string
		attempt int
		last    Result
		want    time.Time
		ok      bool
	}{
		{"first failure", 1, last(OutcomeRetry, 0), end.Add(pinned[0]), true},
		{"third failure", 3, last(OutcomeRetry, 0), end.Add(pinned[2]), true},
		{"Retry-After longer than the schedule", 1, last(OutcomeRetry, time.Minute), end.Add(time.Minute), true},
		{"Retry-After shorter than the schedule", 2, last(OutcomeRetry, time.Minute), end.Add(pinned[1]), true},
		{"last attempt", 8, last(OutcomeRetry, 0), time.Time{}, false},
		{"delivered", 1, last(OutcomeDelivered, 0), time.Time{}, false},
		{"disable", 1, last(OutcomeDisable, 0), time.Time{}, false},
		{"failed", 1, last(OutcomeFailed, 0), time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.NextAttempt(tt.attempt, tt.last)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("NextAttempt(%d) = %s, %v; want %s, %v", tt.attempt, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Schedule)
		errHas string
	}{
		{"default", func(*Schedule) {}, ""},
		{"no jitter", func(s *Schedule) { s.Jitter = 0 }, ""},
		{"no delays", func(s *Schedule) { s.Delays = nil }, "delays: at least one"},
		{"zero delay", func(s *Schedule) { s.Delays[2] = 0 }, "delays[2]"},
		{"jitter 1", func(s *Schedule) { s.Jitter = 1 }, "jitter"},
		{"negative jitter", func(s *Schedule) { s.Jitter = -0.1 }, "jitter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSchedule()
			tt.mutate(&s)
			err := s.Validate()
			if (err == nil) != (tt.errHas == "") || (err != nil && !contains(err.Error(), tt.errHas)) {
				t.Fatalf("Validate = %v, want %q", err, tt.errHas)
			}
		})
	}
	// DefaultSchedule returns a copy: mutating it leaves the default alone.
	s := DefaultSchedule()
	s.Delays[0] = time.Hour
	if DefaultDelays[0] != 5*time.Second {
		t.Error("DefaultSchedule shares DefaultDelays")
	}
}
