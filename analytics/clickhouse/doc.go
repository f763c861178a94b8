// Package clickhouse is the analytics.Reader over the ClickHouse rollups
// of schemas/clickhouse (clicks_hourly, clicks_daily, conversions_hourly,
// conversions_daily; docs/adr/008-exact-rollups.md). It merges the rollups'
// distinct-event states, so its counts are exact under replays, and reads
// the daily rollups for UTC days, weeks and months, the hourly ones
// re-bucketed with ClickHouse's time-zone functions for other zones and for
// hours. It only reads: the schema is created by sinks/clickhouse's Migrate.
package clickhouse
