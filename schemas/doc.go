// Package schemas is the versioned event contract between clicktrail's stages.
//
// Every event travelling between redirect, enrich and the sinks is one of the
// types here, encoded as JSON (docs/adr/001-event-encoding.md says why). Each
// type carries its schema version in the "v" field and each topic name carries
// the major version (clicks.raw.v1). Rules for changing the contract:
//
//   - adding an optional field is a minor change: same topic, same version;
//   - renaming, removing or re-typing a field is a new major version: a new
//     type, a new topic (clicks.raw.v2), and both are produced during the move.
//
// Golden files under testdata/ pin the encoding; a change that alters them is
// a contract change and must be reviewed as one.
//
// The ClickHouse DDL lives in schemas/clickhouse.
package schemas
