// Package stage holds the ClickHouse sink's stage of conversions and its
// rollup compaction loop. Conversions stores the conversion.attributed
// events of the link events topic in the conversions table; Compaction is
// the Task beside the sink's consumers that keeps the rollups
// (docs/adr/008-exact-rollups.md). Enriched clicks go through the generic
// internal/handler.Sink, which the dev file sink shares. Its topic and
// group are listed in internal/app/stages.go; it imports no Kafka client.
package stage
