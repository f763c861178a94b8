package webhook

import (
	"time"

	"github.com/clicktrail/clicktrail/internal/retry"
)

// parseRetryAfter reads a Retry-After value received at now, bounded to
// [MinRetryAfter, MaxRetryAfter] (retry.ParseRetryAfter).
func parseRetryAfter(v string, now time.Time) time.Duration {
	return retry.ParseRetryAfter(v, now, MinRetryAfter, MaxRetryAfter)
}
