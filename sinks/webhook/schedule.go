package webhook

import (
	"time"

	"github.com/clicktrail/clicktrail/internal/retry"
)

// Schedule decides when to retry a failed attempt: package retry's,
// shared with the CRM sink.
type Schedule = retry.Schedule

// DefaultDelays are the pauses after each failed attempt (retry.DefaultDelays).
var DefaultDelays = retry.DefaultDelays

// DefaultJitter spreads each delay by up to ±20%.
const DefaultJitter = retry.DefaultJitter

// DefaultSchedule returns DefaultDelays with DefaultJitter.
func DefaultSchedule() Schedule { return retry.DefaultSchedule() }

// ScheduleInput is what Schedule.NextAttempt reads of r.
func (r Result) ScheduleInput() (string, bool, time.Time, time.Duration) {
	return r.MessageID, r.Outcome == OutcomeRetry, r.End(), r.RetryAfter
}
