// Package clickhouse holds the ClickHouse schema of clicktrail: the DDL of the
// raw click and conversion tables, of their hourly rollups
// (ReplacingMergeTree(version) tables of plain counts that a compaction pass
// recomputes whole hours of from the deduplicated raw tables, exact under
// replays: docs/adr/008-exact-rollups.md) and of the schema_migrations
// bookkeeping table, rendered for the features of one server version.
// Rollups names the rollup tables and the compaction's watermark table;
// RecomputeStatements renders one compaction pass over a range of hours;
// ClickDimensions and ConversionDimensions list the groupings.
//
// The DDL must work on Debian's ClickHouse 18.16 (what the test machine runs)
// and on current ClickHouse (24.x and later). FeaturesFor maps a server
// version to what it supports (LowCardinality, TTL, column codecs, the
// async_insert setting); Migrations and Statements render the SQL in
// sql/*.sql.tmpl for that feature set. Columns lists the insert columns in the
// order the sink appends values, so the DDL and the writer cannot drift.
//
// The package only produces text: applying it (creating the database,
// recording versions in schema_migrations) is sinks/clickhouse's Migrate.
// README.md in this directory is the analysts' guide: how to count correctly
// on a ReplacingMergeTree and example queries.
package clickhouse
