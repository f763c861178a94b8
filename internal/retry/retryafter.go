package retry

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// ParseRetryAfter reads a Retry-After value (delay-seconds or an HTTP
// date, RFC 9110 section 10.2.3) received at now, bounded to [lo, hi]. It
// returns 0 for an empty or unparsable value. A date in the past gives lo.
func ParseRetryAfter(v string, now time.Time, lo, hi time.Duration) time.Duration {
	if v == "" || len(v) > 64 {
		return 0
	}
	var d time.Duration
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(hi/time.Second) {
			// Too large for int64 or beyond the bound: both mean "later than
			// we wait".
			return hi
		}
		d = time.Duration(secs) * time.Second
	} else {
		t, err := http.ParseTime(v)
		if err != nil {
			return 0
		}
		d = t.Sub(now)
	}
	return min(max(d, lo), hi)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// SleepUntil returns once now() reaches t, or ctx's error.
func SleepUntil(ctx context.Context, t time.Time, now func() time.Time) error {
	for {
		d := t.Sub(now())
		if d <= 0 {
			return nil
		}
		timer := time.NewTimer(min(d, time.Second)) // re-read the clock: tests move it
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}
