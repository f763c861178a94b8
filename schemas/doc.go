// Package schemas is the versioned contract between clicktrail's processes:
// every record that crosses a process or a topic, and every topic name.
//
//   - clicks: RawClick (clicks.raw.v1) and EnrichedClick (clicks.enriched.v1);
//   - links: LinkRecord, the links.v1 replication record (package redirect
//     converts its link model to and from it);
//   - link events: LinkEvent on link.events.v1 (link lifecycle changes,
//     checker, job and conversion.attributed events);
//   - conversions: Conversion (conversions.v1) and its attribution
//     (AttributedConversion, Attribution);
//   - webhooks: the event types, the WebhookPayload envelope receivers get,
//     and its click data (WebhookClick).
//
// Each is encoded as JSON (docs/adr/001-event-encoding.md says why). Each
// type carries its schema version in the "v" field (LinkRecord, older than
// the rule, has none) and each topic name carries the major version
// (clicks.raw.v1). Rules for changing the contract:
//
//   - adding an optional field is a minor change: same topic, same version;
//   - renaming, removing or re-typing a field is a new major version: a new
//     type, a new topic (clicks.raw.v2), and both are produced during the move.
//
// Golden files under testdata/ pin the encoding; a change that alters them is
// a contract change and must be reviewed as one.
//
// It imports nothing of the project but its own schemas/jsonenc (the JSON
// primitives of its hand-written encoders), so that every stage and sink can
// import it. What is done with the records lives elsewhere: signing and
// delivering webhooks in sinks/webhook, attribution in package attribution,
// the ClickHouse DDL in schemas/clickhouse.
package schemas
