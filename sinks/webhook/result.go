package webhook

import (
	"fmt"
	"net/http"
	"time"
	"unicode"
	"unicode/utf8"
)

// Outcome is what the caller does after an attempt.
type Outcome int

const (
	// OutcomeRetry: the attempt failed; try again per Schedule (no
	// response, timeout, 3xx, 4xx other than 410, 429, 5xx). The zero
	// value, so a Result nobody classified is retried, not dropped.
	OutcomeRetry Outcome = iota
	// OutcomeDelivered: the endpoint answered 2xx.
	OutcomeDelivered
	// OutcomeDisable: the endpoint cannot or does not want to receive:
	// it answered 410 Gone, its URL or secrets are invalid, or its host is
	// an IP literal the SSRF guard refuses. Disable the endpoint and stop
	// sending it messages; park this one.
	OutcomeDisable
	// OutcomeFailed: this message can never be sent (its id cannot be
	// signed). Dead-letter it; the endpoint is fine.
	OutcomeFailed
)

// String returns the outcome's name for logs: retry, delivered, disable,
// failed.
func (o Outcome) String() string {
	switch o {
	case OutcomeRetry:
		return "retry"
	case OutcomeDelivered:
		return "delivered"
	case OutcomeDisable:
		return "disable"
	case OutcomeFailed:
		return "failed"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// MaxResponseSnippet is how much of a response body a Result keeps.
const MaxResponseSnippet = 1024

// Result is the record of one attempt, for the delivery log and for
// Schedule.NextAttempt.
type Result struct {
	EndpointID string
	MessageID  string
	// Attempted is when the attempt started: the webhook-timestamp sent.
	Attempted time.Time
	// Latency is from the start of the attempt to the response's status
	// and snippet read, or to the failure.
	Latency time.Duration
	// Status is the HTTP status, 0 when there was no response.
	Status int
	// Response is at most MaxResponseSnippet bytes of the response body,
	// valid UTF-8 with control characters replaced by spaces, safe to log
	// and show.
	Response string
	// RetryAfter is the receiver's Retry-After on a 429 or 5xx, bounded to
	// [MinRetryAfter, MaxRetryAfter]; 0 when absent or unparsable.
	RetryAfter time.Duration
	Outcome    Outcome
	// Err says why the attempt did not deliver; nil iff Outcome is
	// OutcomeDelivered.
	Err error
}

// End returns when the attempt finished.
func (r Result) End() time.Time { return r.Attempted.Add(r.Latency) }

// classify maps a response to an outcome, following the Standard Webhooks
// recommendations and Svix: 2xx delivered; 410 disables the endpoint;
// redirects are failures (the customer should update the URL); 429 and
// 5xx are retried no sooner than their Retry-After; every other status is
// retried per the schedule.
func classify(r *Result, resp *http.Response, now time.Time) {
	r.Status = resp.StatusCode
	switch s := resp.StatusCode; {
	case s >= 200 && s <= 299:
		r.Outcome = OutcomeDelivered
	case s == http.StatusGone:
		r.Outcome = OutcomeDisable
		r.Err = fmt.Errorf("endpoint %s answered 410 Gone: it asks to be disabled", r.EndpointID)
	case s >= 300 && s <= 399:
		r.Outcome = OutcomeRetry
		loc := sanitize([]byte(resp.Header.Get("Location")), 256)
		r.Err = fmt.Errorf("endpoint %s answered %d redirecting to %q: redirects are not followed, update the endpoint URL", r.EndpointID, s, loc)
	case s == http.StatusTooManyRequests || s >= 500:
		r.Outcome = OutcomeRetry
		r.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
		r.Err = fmt.Errorf("endpoint %s answered %d", r.EndpointID, s)
	default:
		r.Outcome = OutcomeRetry
		r.Err = fmt.Errorf("endpoint %s answered %d", r.EndpointID, s)
	}
}

// sanitize returns b as valid UTF-8 of at most max bytes, invalid bytes
// replaced by U+FFFD and control characters by spaces, so a receiver's
// answer cannot forge log lines or break a UI.
func sanitize(b []byte, max int) string {
	out := make([]byte, 0, min(len(b), max))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if unicode.IsControl(r) {
			r = ' '
		}
		if len(out)+utf8.RuneLen(r) > max {
			break
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}
