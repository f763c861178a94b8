// Package clickhouse is the analytics.Reader over the ClickHouse rollups
// of schemas/clickhouse (clicks_hourly, conversions_hourly;
// docs/adr/008-exact-rollups.md). It reads the hours before the rollup
// compaction's watermark from the rollups (FINAL: the latest recomputation
// of each hour) and the hours from it on live from the raw tables, counting
// distinct event ids there, so answers are exact under replays and
// current to the last insert. Days, weeks and months are re-bucketed from
// the UTC hours with ClickHouse's time-zone functions in the asked zone. It
// only reads: the schema is created by sinks/clickhouse's Migrate, the
// rollups kept by its CompactRollups.
package clickhouse
