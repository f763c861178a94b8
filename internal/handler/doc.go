// Package handler holds what every stage's record handler shares, and the
// two generic stages: Enrich (clicks.raw.v1 -> clicks.enriched.v1, over any
// Enricher) and Sink (clicks.enriched.v1 -> any ClickWriter: ClickHouse, or
// the dev file). The shared parts: DeadLetter (logged), WriteRows (write a
// decoded batch, dead-letter what can never be stored, nil only once both
// are durable), PartialWriteError, and the link event records
// (LinkEventRecord, EventHeaders).
//
// A handler is a record.Handler, so the same code runs over Kafka consumer
// groups (scale-out) and over the local spool (the embedded `clicktrail
// dev`). Processors stay pure (enrich) or log-agnostic (sinks). The stages
// of one component live with it: the webhook stage in sinks/webhook/stage,
// the attribution stage in attribution/stage, the conversions stage in
// sinks/clickhouse/stage; which stage reads which topic under which group
// is listed once, in internal/app/stages.go. It imports neither Kafka nor
// pebble.
package handler
