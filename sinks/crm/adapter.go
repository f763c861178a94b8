package crm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind is one CRM: it validates an integration's configuration and opens
// adapters. Implemented by hubspot.Kind, salesforce.Kind and pipedrive.Kind.
type Kind interface {
	// Name is the integration's "crm" value: hubspot, salesforce, pipedrive.
	Name() string
	// Validate reports every bad setting, credential and mapping target
	// at once, each error naming its key ("settings.instance_url",
	// "credentials.token", "mapping.click.contact.Foo").
	Validate(s Spec) error
	// Open returns the adapter of a valid spec, calling the CRM through
	// client (which dials only public addresses, internal/netguard).
	Open(s Spec, client *http.Client) (Adapter, error)
}

// Spec is what an adapter is made of: an integration's configuration with
// its credentials opened.
type Spec struct {
	ID          string
	Settings    map[string]string
	Credentials map[string]string
	Mapping     Mapping
}

// Mapping says which source fields (ClickFields, ConversionFields) go to
// which CRM property or activity field, per event type: target -> source.
// A target "contact.<name>" is a property of the contact record; any other
// target is a field of the timeline event, Task or activity.
type Mapping struct {
	Click      map[string]string `json:"click,omitempty"`
	Conversion map[string]string `json:"conversion,omitempty"`
}

// For returns the mapping of an event type.
func (m Mapping) For(typ string) map[string]string {
	if typ == EventConversion {
		return m.Conversion
	}
	return m.Click
}

// Adapter writes events to one integration's CRM.
type Adapter interface {
	// Deliver writes events (all of its integration, at most MaxBatch)
	// and returns one error per event, in order: nil once the CRM holds
	// the event, else an *Error (or any error, treated as retryable). It
	// makes as few calls as the CRM's batch endpoints allow. An adapter
	// whose CRM has no idempotency key (Idempotent false) relies on the
	// caller's ledger to skip events it already wrote.
	Deliver(ctx context.Context, events []Event) []error
	// Idempotent reports whether writing an event twice leaves one
	// record in the CRM (an external id upsert).
	Idempotent() bool
}

// Error is a CRM's answer that did not write an event.
type Error struct {
	Status  int    // HTTP status; 0 without an answer
	Code    string // the CRM's error code or category, when it gives one
	Message string // the CRM's error text, bounded and sanitized
	// Pause, when > 0, is how long the CRM asks the integration to wait
	// (429 Retry-After, rate-limit headers, a spent daily quota): the
	// event is retried after it, and no other call is made meanwhile.
	Pause time.Duration
	// Permanent: the same request will always fail (a 4xx other than
	// 401, 408, 409 handled, 429): dead-letter the event with Message.
	Permanent bool
}

func (e *Error) Error() string {
	s := fmt.Sprintf("crm answered %d", e.Status)
	if e.Status == 0 {
		s = "crm call failed"
	}
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Outcome is what the stage does with an event after Deliver.
type Outcome int

const (
	Retry     Outcome = iota // 5xx, timeout, network: the retry schedule
	Delivered                // the CRM holds it
	Paused                   // the CRM asked to wait: retry after Pause, same attempt
	Failed                   // permanent: dead-letter it
)

// Classify returns what err (one of Deliver's) means, and the pause.
func Classify(err error) (Outcome, time.Duration) {
	if err == nil {
		return Delivered, 0
	}
	var e *Error
	if errors.As(err, &e) {
		switch {
		case e.Pause > 0:
			return Paused, e.Pause
		case e.Permanent:
			return Failed, 0
		}
	}
	return Retry, 0
}

// Fill returns n copies of err: a whole call's failure for each of its
// events.
func Fill(n int, err error) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
