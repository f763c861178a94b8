// Package ingest owns clicktrail's logs: the durable local spool (pebble) that
// sits behind every redirector and doubles as the event log of the embedded
// mode, and everything Kafka (franz-go): topic creation, the producer, the
// consumer-group runner, the spool-to-Kafka forwarder and dead-lettering.
//
// Stages (enrich, the sinks) never see which log they read: both the spool and
// Kafka implement Consumer and Producer, whose contracts are at-least-once:
// a consumer commits a batch only after its handler returned nil, and a
// handler returns nil only once its output is durable.
package ingest
