// Package pipeline holds the stage handlers that connect clicktrail's logs to
// its processors: enrich (clicks.raw.v1 -> clicks.enriched.v1) and the
// ClickHouse sink (clicks.enriched.v1 -> ClickHouse).
//
// A stage is an record.Handler, so the same code runs over Kafka consumer
// groups (scale-out) and over the local spool (the embedded `clicktrail dev`).
// Processors stay pure (enrich) or log-agnostic (sinks); this package is the
// only place that decodes records, dead-letters the ones that cannot be
// processed, and decides what "durable" means for a batch.
package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/schemas"
)

// Enricher turns a raw click into an enriched one (enrich.Enricher).
type Enricher interface {
	Enrich(raw *schemas.RawClick) (*schemas.EnrichedClick, error)
}

// ClickWriter stores enriched clicks (sinks/clickhouse.Writer). Write returns
// nil only once the rows are durable; it must be idempotent on the event id,
// because a failed batch is written again.
type ClickWriter interface {
	Write(ctx context.Context, clicks []*schemas.EnrichedClick) error
}

// Enrich returns the handler of the enrich stage. For every raw click it
// produces one enriched click to outTopic (schemas.TopicClicksEnriched, with
// the deployment's topic prefix) with the same
// key (the link id, so per-link order holds). A record that does not decode or
// cannot be enriched goes to the raw topic's dead-letter topic with the error
// in its headers and is logged with its offset, its address truncated first
// (redactRawDeadLetter); the rest of the batch goes on.
//
// The handler returns nil only once out acknowledged every produced record.
func Enrich(e Enricher, out record.Producer, outTopic string, log *slog.Logger) record.Handler {
	log = logs.OrDiscard(log)
	return func(ctx context.Context, batch []record.Record) error {
		recs := make([]record.Record, 0, len(batch))
		for _, r := range batch {
			v, ts, err := enrichOne(e, r.Value)
			if err != nil {
				recs = append(recs, redactRawDeadLetter(DeadLetter(log, "enrich", r, err)))
				continue
			}
			recs = append(recs, record.Record{Topic: outTopic, Key: r.Key, Value: v, Timestamp: ts})
		}
		if err := out.Produce(ctx, recs); err != nil {
			return fmt.Errorf("produce %d enriched clicks: %w", len(recs), err)
		}
		return nil
	}
}

func enrichOne(e Enricher, value []byte) (v []byte, ts time.Time, err error) {
	raw, err := schemas.DecodeRawClick(value)
	if err != nil {
		return nil, ts, err
	}
	en, err := e.Enrich(raw)
	if err != nil {
		return nil, ts, fmt.Errorf("enrich event %s: %w", raw.EventID, err)
	}
	v, err = en.Marshal()
	if err != nil {
		return nil, ts, fmt.Errorf("encode event %s: %w", raw.EventID, err)
	}
	return v, en.Time, nil
}

// PartialWriteError is implemented by ClickWriter errors that mean "every
// row was stored except these, which never can be" (sinks/clickhouse's
// RejectedError). The sink stage dead-letters those rows and commits.
type PartialWriteError interface {
	error
	RejectedRows() map[int]error
}

// Sink returns the handler of a sink stage (ClickHouse, or the dev file): it
// decodes the batch, writes what decodes in one call to w, and dead-letters
// (through dlq) what does not decode and what w rejected for good. It returns
// nil only once both are durable, so the consumer commits after ClickHouse
// acknowledged the insert; any other write error fails the batch, which is
// then delivered again whole.
func Sink(w ClickWriter, dlq record.Producer, log *slog.Logger) record.Handler {
	log = logs.OrDiscard(log)
	return func(ctx context.Context, batch []record.Record) error {
		rows := make([]*schemas.EnrichedClick, 0, len(batch))
		from := make([]int, 0, len(batch)) // rows[i] decoded from batch[from[i]]
		var dead []record.Record
		for i, r := range batch {
			c, err := schemas.DecodeEnrichedClick(r.Value)
			if err != nil {
				dead = append(dead, DeadLetter(log, "sink", r, err))
				continue
			}
			rows = append(rows, c)
			from = append(from, i)
		}
		return WriteRows(ctx, Batch[*schemas.EnrichedClick]{Stage: "sink", What: "clicks", Records: batch,
			Rows: rows, From: from, Dead: dead}, w.Write, dlq, log)
	}
}

// Batch is a decoded batch on its way to a store: rows[i] was
// decoded from batch[from[i]], and dead holds the dead letters of what
// did not decode.
type Batch[T any] struct {
	Stage, What string // the stage's name in dead letters, and what rows are in errors
	Records     []record.Record
	Rows        []T
	From        []int
	Dead        []record.Record
}

// WriteRows writes b's rows with write, dead-letters (through dlq) what
// did not decode and what write rejected for good (a PartialWriteError),
// and returns nil only once both are durable; any other write error fails
// the batch, which is then delivered again whole.
func WriteRows[T any](ctx context.Context, b Batch[T], write func(context.Context, []T) error, dlq record.Producer, log *slog.Logger) error {
	dead := b.Dead
	if len(b.Rows) > 0 {
		err := write(ctx, b.Rows)
		var partial PartialWriteError
		switch {
		case errors.As(err, &partial):
			for i, rerr := range partial.RejectedRows() {
				if i >= 0 && i < len(b.From) {
					dead = append(dead, DeadLetter(log, b.Stage, b.Records[b.From[i]], rerr))
				}
			}
		case err != nil:
			return fmt.Errorf("write %d %s: %w", len(b.Rows), b.What, err)
		}
	}
	if len(dead) > 0 {
		if err := dlq.Produce(ctx, dead); err != nil {
			return fmt.Errorf("dead-letter %d records: %w", len(dead), err)
		}
	}
	return nil
}

// DeadLetter logs that stage dead-letters r for err and returns its dead
// letter on r's topic's dead-letter topic (record.DeadLetter).
func DeadLetter(log *slog.Logger, stage string, r record.Record, err error) record.Record {
	log.Warn("dead-lettering record", "stage", stage, "topic", r.Topic,
		"partition", r.Partition, "offset", r.Offset, "err", err)
	return record.DeadLetter(stage, r, err, schemas.DeadLetterTopic(r.Topic))
}
