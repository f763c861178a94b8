package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/clicktrail/clicktrail/internal/retry"
)

// Bounds of a pause a CRM asks for.
const (
	MinPause = time.Second
	MaxPause = 24 * time.Hour
)

// maxBody bounds what is read of a CRM's answer.
const maxBody = 1 << 20

// Response is a CRM's answer to a call.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Request is one JSON call to a CRM.
type Request struct {
	Method, URL string
	Header      http.Header // Authorization and the like
	Body        any         // encoded as JSON; nil: no body
	// PauseOf reads the CRM's documented rate-limit headers of a 429 (or
	// of any answer, when it says the quota is spent); 0: none.
	PauseOf func(h http.Header, now time.Time) time.Duration
	// Message extracts the CRM's error text from an error body.
	Message func(body []byte) (code, msg string)
}

// Call makes r and classifies the answer: a 2xx returns the response; a
// 429 (or another answer PauseOf gives a pause for) is an *Error with
// Pause (Retry-After, else PauseOf, at least MinPause); 5xx, 408 and a
// failed call are retryable *Errors (a 5xx's Retry-After pauses too); any
// other status is a permanent *Error with the CRM's message. The 401 of an
// expired token is the caller's to handle first (Salesforce refreshes).
func Call(ctx context.Context, c *http.Client, r Request) (*Response, error) {
	var body io.Reader
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, &Error{Message: "encode request: " + err.Error(), Permanent: true}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, &Error{Message: "build request: " + err.Error(), Permanent: true}
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, &Error{Message: Sanitize(err.Error())}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, &Error{Status: resp.StatusCode, Message: "read answer: " + Sanitize(err.Error())}
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	now := time.Now()
	var pause time.Duration
	if r.PauseOf != nil {
		pause = r.PauseOf(resp.Header, now)
	}
	s := resp.StatusCode
	if s >= 200 && s <= 299 {
		return out, nil
	}
	e := &Error{Status: s}
	if r.Message != nil {
		e.Code, e.Message = r.Message(b)
		e.Code, e.Message = Sanitize(e.Code), Sanitize(e.Message)
	}
	if e.Message == "" {
		e.Message = Sanitize(string(b))
	}
	ra := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), now, MinPause, MaxPause)
	switch {
	case s == http.StatusTooManyRequests:
		// the explicit Retry-After first, else the rate-limit headers
		e.Pause = ra
		if e.Pause == 0 {
			e.Pause = min(max(pause, MinPause), MaxPause)
		}
	case s >= 500 || s == http.StatusRequestTimeout:
		e.Pause = ra
	case pause > 0:
		e.Pause = min(pause, MaxPause)
	default:
		e.Permanent = s != http.StatusUnauthorized // a token can be fixed through the API meanwhile
	}
	return out, e
}

// Sanitize bounds a CRM's text to 512 bytes, control characters replaced
// by spaces, so an answer cannot forge log lines.
func Sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if len(s) > 512 {
		s = strings.ToValidUTF8(s[:512], "")
	}
	return s
}

// Decode decodes a 2xx answer's JSON body into v.
func Decode(r *Response, v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return &Error{Status: r.Status, Message: fmt.Sprintf("decode answer: %v", err)}
	}
	return nil
}
