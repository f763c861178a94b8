package retry

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
)

// Parked is an attempt waiting on a retry topic: whose it is (Target: a
// webhook endpoint, a CRM integration; also the record key, so one
// target's attempts keep their order), the message, which attempt to make
// next (1-based) and when.
type Parked struct {
	Target    string
	ID        string // the message's id
	Type      string // the message's event type
	Attempt   int
	NotBefore time.Time
	Body      []byte // the record value
}

// Codec names the headers of a sink's parked records (their values are
// the sink's wire format: changing them is changing it).
type Codec struct {
	Target, ID, Type, Attempt, NotBefore string
}

// Record returns p as a record of topic.
func (c Codec) Record(topic string, p Parked) record.Record {
	return record.Record{
		Topic: topic,
		Key:   []byte(p.Target),
		Value: p.Body,
		Headers: []record.Header{
			{Key: c.Target, Value: []byte(p.Target)},
			{Key: c.ID, Value: []byte(p.ID)},
			{Key: c.Type, Value: []byte(p.Type)},
			{Key: c.Attempt, Value: strconv.AppendInt(nil, int64(p.Attempt), 10)},
			{Key: c.NotBefore, Value: strconv.AppendInt(nil, p.NotBefore.UnixMilli(), 10)},
		},
	}
}

// Decode reads a parked record, naming every bad header.
func (c Codec) Decode(r record.Record) (Parked, error) {
	h := map[string]string{}
	for _, x := range r.Headers {
		h[x.Key] = string(x.Value)
	}
	p := Parked{Target: h[c.Target], ID: h[c.ID], Type: h[c.Type], Body: r.Value}
	var errs []error
	if p.Target == "" {
		errs = append(errs, fmt.Errorf("header %s: required", c.Target))
	}
	if p.ID == "" {
		errs = append(errs, fmt.Errorf("header %s: required", c.ID))
	}
	n, err := strconv.Atoi(h[c.Attempt])
	if err != nil || n < 1 {
		errs = append(errs, fmt.Errorf("header %s: want a positive integer, got %q", c.Attempt, h[c.Attempt]))
	}
	p.Attempt = n
	ms, err := strconv.ParseInt(h[c.NotBefore], 10, 64)
	if err != nil {
		errs = append(errs, fmt.Errorf("header %s: want unix milliseconds, got %q", c.NotBefore, h[c.NotBefore]))
	}
	p.NotBefore = time.UnixMilli(ms)
	return p, errors.Join(errs...)
}

// StepTopic is the retry topic of schedule step step (the 1-based index
// of the delay waited): base.<step>.
func StepTopic(base string, step int) string { return base + "." + strconv.Itoa(step) }

// Topics returns the retry topics of base under s: base itself, for
// attempts due at once, and one topic per schedule step.
func Topics(base string, s Schedule) []string {
	ts := []string{base}
	for step := 1; step <= len(s.Delays); step++ {
		ts = append(ts, StepTopic(base, step))
	}
	return ts
}
