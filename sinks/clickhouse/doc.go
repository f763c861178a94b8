// Package clickhouse is the ClickHouse sink: it writes batches of
// schemas.EnrichedClick to the raw click table over ClickHouse's native
// protocol (clickhouse-go/v2, LZ4 compression). It does not know about Kafka:
// the consumer runner calls Write with a batch and commits its offsets only
// after Write returned nil.
//
// # Delivery and deduplication
//
// Write returns nil only once ClickHouse acknowledged the INSERT; on error
// nothing is known (the rows may or may not be stored) and the caller retries
// the same slice. A retried or replayed batch therefore lands twice. The
// table is a ReplacingMergeTree whose sorting key ends with event_id
// ((workspace_id, link_id, ts, event_id), see schemas/clickhouse), so copies
// of one event collapse into one row when parts merge; until then queries
// that count must read `FROM clicks FINAL` or count uniqExact(event_id). That
// is how at-least-once delivery becomes exactly-once counting.
//
// Insert-level deduplication (identical blocks dropped by hash) was rejected:
// on non-replicated MergeTree it needs non_replicated_deduplication_window,
// which 18.16 lacks, and it only catches a retry that rebuilds byte-identical
// blocks, not a replay regrouped into different batches.
//
// # Rollups
//
// CompactRollups is one pass of the rollup compaction: it recomputes, from
// the raw tables with FINAL, every hour that received rows inserted since
// its watermark, into the hourly rollups (docs/adr/008-exact-rollups.md).
// No materialized view runs on the insert path. The sink worker runs a
// pass every Config.CompactInterval (sinks/clickhouse/stage.Compaction).
//
// # Server versions
//
// Open reads the server version and derives schemas/clickhouse.Features from
// it: the DDL uses LowCardinality, TTL and codecs only where they exist, and
// async_insert=0 is sent only to servers that know the setting (21.11+;
// 18.16 rejects unknown settings). Every INSERT names its columns, which
// 18.16 requires for clickhouse-go batches.
package clickhouse
