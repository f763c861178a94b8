// Package recordtest holds what tests of stages share about records: a
// Producer that keeps what it is asked to produce, and Header.
package recordtest

import (
	"context"
	"sync"

	"github.com/clicktrail/clicktrail/ingest/record"
)

// Producer keeps what it was asked to produce; a non-nil Fail makes it
// refuse (and keep nothing).
type Producer struct {
	mu   sync.Mutex
	Recs []record.Record
	Fail error
}

var _ record.Producer = (*Producer)(nil)

// Produce implements record.Producer.
func (p *Producer) Produce(_ context.Context, recs []record.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Fail != nil {
		return p.Fail
	}
	p.Recs = append(p.Recs, recs...)
	return nil
}

// Records returns a copy of what was produced so far.
func (p *Producer) Records() []record.Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]record.Record(nil), p.Recs...)
}

// Header returns the value of r's header key, or "".
func Header(r record.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
