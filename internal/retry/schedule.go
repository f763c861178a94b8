package retry

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// DefaultDelays are the pauses after each failed attempt: the first retry
// 5s after the first attempt, the last 10h after the seventh, eight
// attempts over about 28 hours (Svix's schedule). After that the message is
// dead-lettered.
var DefaultDelays = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
}

// DefaultJitter spreads each delay by up to ±20%.
const DefaultJitter = 0.2

// Schedule decides when to retry a failed attempt.
//
// Jitter is not random: it is a hash of the message id and the attempt
// number, so the retries of many messages failed by one outage spread out,
// while one message's schedule is reproducible (in tests, and across
// restarts of the process that parks it).
type Schedule struct {
	// Delays[i] is the pause after failed attempt i+1; len(Delays)+1
	// attempts in all.
	Delays []time.Duration
	// Jitter is the fraction each delay varies by, either way, in [0, 1).
	Jitter float64
}

// DefaultSchedule returns DefaultDelays with DefaultJitter.
func DefaultSchedule() Schedule {
	return Schedule{Delays: append([]time.Duration(nil), DefaultDelays...), Jitter: DefaultJitter}
}

// Validate reports every bad field at once, each error naming its key.
func (s Schedule) Validate() error {
	var errs []error
	if len(s.Delays) == 0 {
		errs = append(errs, errors.New("delays: at least one required"))
	}
	for i, d := range s.Delays {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("delays[%d]: must be > 0, got %s", i, d))
		}
	}
	if s.Jitter < 0 || s.Jitter >= 1 {
		errs = append(errs, fmt.Errorf("jitter: must be in [0, 1), got %g", s.Jitter))
	}
	return errors.Join(errs...)
}

// MaxAttempts is the number of attempts a message gets, the first included.
func (s Schedule) MaxAttempts() int { return len(s.Delays) + 1 }

// Delay returns the jittered pause after failed attempt number attempt
// (1-based) of message msgID, or false when it was the last attempt.
func (s Schedule) Delay(attempt int, msgID string) (time.Duration, bool) {
	if attempt < 1 || attempt > len(s.Delays) {
		return 0, false
	}
	base := s.Delays[attempt-1]
	return time.Duration(float64(base) * (1 + s.Jitter*(2*unitHash(msgID, attempt)-1))), true
}

// Attempt is what NextAttempt reads of an attempt's result: the message
// id (the jitter's seed), whether it is to be retried, when the attempt
// ended, and the receiver's Retry-After (0 without one).
type Attempt interface {
	ScheduleInput() (msgID string, retry bool, end time.Time, retryAfter time.Duration)
}

// NextAttempt returns when to make attempt number attempt+1, given that
// attempt number attempt (1-based) ended with last. It returns false when
// there is none: the message was delivered, the endpoint is to be disabled,
// the message failed for good, or the schedule is exhausted (dead-letter
// it). The pause is the jittered schedule delay, or the receiver's
// Retry-After when that is longer: never sooner than the receiver asked,
// never faster than the schedule.
func (s Schedule) NextAttempt(attempt int, last Attempt) (time.Time, bool) {
	id, retry, end, after := last.ScheduleInput()
	if !retry {
		return time.Time{}, false
	}
	d, ok := s.Delay(attempt, id)
	if !ok {
		return time.Time{}, false
	}
	return end.Add(max(d, after)), true
}

// unitHash maps (msgID, attempt) to [0, 1), uniformly enough for jitter.
func unitHash(msgID string, attempt int) float64 {
	h := fnv.New64a()
	h.Write([]byte(msgID))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, int64(attempt), 10))
	return float64(mix64(h.Sum64())>>11) / (1 << 53)
}

// mix64 is the splitmix64 finalizer: FNV's high bits depend weakly on its
// last input bytes, and the attempt number is the last input.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
