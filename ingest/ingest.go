package ingest

import "github.com/clicktrail/clicktrail/ingest/record"

// The log contracts are declared in the Kafka-free package record, so that
// stages and sinks can use them without importing franz-go; ingest, which
// implements them, re-exports them under the same names.
type (
	Header       = record.Header
	Record       = record.Record
	Handler      = record.Handler
	Consumer     = record.Consumer
	Producer     = record.Producer
	BatchOptions = record.BatchOptions
)

// Dead-letter header keys (see record.DeadLetter).
const (
	HeaderDLQError     = record.HeaderDLQError
	HeaderDLQTopic     = record.HeaderDLQTopic
	HeaderDLQPartition = record.HeaderDLQPartition
	HeaderDLQOffset    = record.HeaderDLQOffset
	HeaderDLQStage     = record.HeaderDLQStage
)

// DeadLetter is record.DeadLetter.
func DeadLetter(stage string, r Record, err error, dlqTopic string) Record {
	return record.DeadLetter(stage, r, err, dlqTopic)
}
