package record

import (
	"context"
	"strconv"
	"time"
)

// Header is a record header.
type Header struct {
	Key   string
	Value []byte
}

// Record is one event in a log: a Kafka record or a spool entry. Offset is
// the position in its partition (Kafka) or the sequence number in its topic
// (spool); together with Topic and Partition it names the record in logs.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   []Header
	Timestamp time.Time
}

// Handler processes one batch of records.
//
// Contract: return nil only once everything the batch produced is durable
// (produced with acks, inserted and acknowledged, written and synced). The
// consumer then commits the whole batch. A non-nil error commits nothing; the
// consumer backs off and delivers the same records again, so a handler must be
// idempotent on the event id. A record the handler can never process (it does
// not decode, say) must not fail the batch: dead-letter it (see DeadLetter)
// and go on, so one bad record never stalls good ones.
type Handler func(ctx context.Context, batch []Record) error

// Consumer reads a log in batches and commits after the handler's work is
// durable. Run blocks until ctx is done or an unrecoverable error occurs;
// handler errors are retried with backoff, not returned.
type Consumer interface {
	Run(ctx context.Context, h Handler) error
}

// Producer writes records durably. Produce returns nil only once every record
// is durable (Kafka: acknowledged by all in-sync replicas; spool: synced to
// disk). On error some records may have been written: callers retry the whole
// slice and rely on event-id idempotency downstream.
type Producer interface {
	Produce(ctx context.Context, recs []Record) error
}

// BatchOptions bound the batches a Consumer hands to its Handler.
type BatchOptions struct {
	MaxRecords int           // at most this many records per batch (default 10,000)
	MaxWait    time.Duration // hand over a partial batch after this long (default 1s)
}

// WithDefaults returns o with zero fields set to their defaults.
func (o BatchOptions) WithDefaults() BatchOptions {
	if o.MaxRecords <= 0 {
		o.MaxRecords = 10000
	}
	if o.MaxWait <= 0 {
		o.MaxWait = time.Second
	}
	return o
}

// Dead-letter header keys.
const (
	HeaderDLQError     = "clicktrail.dlq.error"
	HeaderDLQTopic     = "clicktrail.dlq.topic"
	HeaderDLQPartition = "clicktrail.dlq.partition"
	HeaderDLQOffset    = "clicktrail.dlq.offset"
	HeaderDLQStage     = "clicktrail.dlq.stage"
)

// DeadLetter returns the record to produce to the dead-letter topic for r,
// which stage failed to process with err: the original key and value, the
// original headers, and the error and origin in headers.
func DeadLetter(stage string, r Record, err error, dlqTopic string) Record {
	h := make([]Header, 0, len(r.Headers)+5)
	h = append(h, r.Headers...)
	h = append(h,
		Header{HeaderDLQError, []byte(err.Error())},
		Header{HeaderDLQTopic, []byte(r.Topic)},
		Header{HeaderDLQPartition, []byte(strconv.Itoa(int(r.Partition)))},
		Header{HeaderDLQOffset, []byte(strconv.FormatInt(r.Offset, 10))},
		Header{HeaderDLQStage, []byte(stage)},
	)
	return Record{Topic: dlqTopic, Key: r.Key, Value: r.Value, Headers: h}
}
