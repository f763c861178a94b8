// Package ingest owns clicktrail's logs: the durable local spool (pebble) that
// sits behind every redirector and doubles as the event log of the embedded
// mode, and everything Kafka (franz-go): topic creation, the producer, the
// consumer-group runner, the spool-to-Kafka forwarder and dead-lettering.
//
// Stages (enrich, the sinks) never see which log they read: both the spool and
// Kafka implement Consumer and Producer, whose contracts are at-least-once:
// a consumer commits a batch only after its handler returned nil, and a
// handler returns nil only once its output is durable.
//
// # The click path: redirect -> spool -> Kafka
//
// The redirect handler calls Spool.Append and answers; it never waits on
// Kafka. Append assigns the next sequence number of the topic and writes to
// pebble (NoSync in "interval" mode, where a background syncer syncs the WAL
// every FlushInterval; Sync in "always" mode, sharing fsyncs across
// concurrent appends). Forward runs a spool consumer of group ForwarderGroup
// that produces each batch to Kafka with the same topic, key, value, headers
// and timestamp, and commits the spool cursor only after Kafka acknowledged
// the whole batch (acks=all, idempotent producer). During a Kafka outage the
// produce fails after KafkaConfig.ProduceTimeout, the spool consumer backs
// off and retries the same batch, and the spool grows up to
// SpoolOptions.MaxBytes; past that Append returns ErrSpoolFull, the redirect
// still answers and the click is counted (SpoolStats.FullDrops) and logged
// at most once per second. Records the whole way are keyed by link id, so a
// link's clicks stay in order in one Kafka partition.
//
// The rejected simpler design, producing to Kafka from the redirect handler
// with franz-go's TryProduce and spooling only on ErrMaxBuffered, makes
// durability depend on Kafka's health at the moment of the click and gives
// the redirect two code paths; the spool-first path has one, and its cost is
// one local pebble write (see BenchmarkSpoolAppend).
//
// # Spool storage
//
// Keys (see spool_keys.go): r/<topic>/<seq> records, c/<topic>/<group>
// cursors, h/<topic> heads, t/<topic> topic markers. Records every registered
// group has committed are deleted with one DeleteRange per commit, and reads
// seek from the stored head so they never walk the tombstones. A topic no
// group was ever registered on keeps everything, bounded by MaxBytes. Entries
// are encoded by appendEntry/decodeEntry (a version byte, then varint-framed
// fields).
//
// # Observability
//
// Spool.Stats reports appends, full drops, backlog bytes and per-topic
// positions (next sequence, head, cursor per group, backlog in records); the
// wiring layer exports them as metrics. Logs go to the injected *slog.Logger:
// warnings when a handler fails and is retried, when a Kafka consumer
// rejoins its group, when the spool is full; franz-go's and pebble's chatter
// at debug level.
package ingest
