package webhook

import (
	"net/http"
	"strconv"
	"time"
)

// parseRetryAfter reads a Retry-After value (delay-seconds or an HTTP date,
// RFC 9110 section 10.2.3) received at now, bounded to [MinRetryAfter,
// MaxRetryAfter]. It returns 0 for an empty or unparsable value. A date in
// the past gives MinRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" || len(v) > 64 {
		return 0
	}
	var d time.Duration
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(MaxRetryAfter/time.Second) {
			// Too large for int64 or beyond the bound: both mean "later than
			// we wait".
			return MaxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else {
		t, err := http.ParseTime(v)
		if err != nil {
			return 0
		}
		d = t.Sub(now)
	}
	return min(max(d, MinRetryAfter), MaxRetryAfter)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
