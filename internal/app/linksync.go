package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/internal/handler"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// Link replication between redirect nodes.
//
// The node whose API changes a link appends the link, whole, to its spool
// under the links topic (key "<domain>/<path>", header "type" the lifecycle
// event); the spool's forwarder takes it to Kafka like the clicks, so a
// change made while Kafka is down reaches the other nodes once it is back.
// The topic is compacted: the latest version of every domain/path is kept
// for ever (a deleted link stays, disabled, keeping its path reserved).
// Every node tails the whole topic (no consumer group: each needs every
// partition), applies each link with Store.ApplyNewerUnsynced (last writer
// wins on updated_at) and stores its offsets in its link store after each
// batch, with one WAL sync that makes the batch's links durable too.
//
// Run the link API on one node (or route every API call to one): path
// uniqueness is checked against the local store only, so two nodes creating
// the same path at once would both succeed, and the later version in the
// topic would take the path on every node.

// linksTopic is the compacted link table.
const linksTopic = schemas.TopicLinks

// publishLinkChanges returns the link hook of a node: each change goes, as
// the link's schemas.LinkRecord encoded once, to linksTopic (keyed "<domain>/<path>",
// for the other nodes; "" in dev, which has no other node) and, as a
// schemas.LinkEvent with a new UUIDv7 id, to eventsTopic (keyed by link id,
// for webhooks; "" when nothing delivers webhooks). The records of one call
// go to out in one synced batch before the API answers. The change itself
// is already durable: should out refuse them (a full or closed spool), they
// are lost and logged, and the API answer is not affected.
func publishLinkChanges(out ingest.Producer, linksTopic, eventsTopic string, log *slog.Logger) linkHook {
	log = logs.OrDiscard(log)
	return func(eventType string, links []*redirect.Link) {
		now := time.Now()
		recs := make([]ingest.Record, 0, 2*len(links))
		for _, l := range links {
			data, err := l.Record().Marshal()
			if err != nil {
				log.Error("link change lost: encode", "link", l.ID, "event", eventType, "err", err)
				continue
			}
			if linksTopic != "" {
				recs = append(recs, ingest.Record{
					Topic: linksTopic, Key: []byte(schemas.LinkRecordKey(l.Domain, l.Path)), Value: data, Timestamp: now,
					Headers: []ingest.Header{{Key: schemas.HeaderLinkChange, Value: []byte(eventType)}, {Key: schemas.HeaderLinkSchema, Value: []byte(schemas.LinkRecordSchema)}},
				})
			}
			if eventsTopic != "" {
				recs = append(recs, handler.LinkEventRecord(eventsTopic, l.ID, schemas.LinkEvent{
					ID: uuid.Must(uuid.NewV7()).String(), Type: eventType, Time: now, WorkspaceID: l.WorkspaceID, Data: data}))
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), linkEventTimeout)
		defer cancel()
		if err := out.Produce(ctx, recs); err != nil {
			log.Error("link changes lost: spool", "records", len(recs), "event", eventType, "err", err)
		}
	}
}

// linkHook sees durable link changes: one from a single API call, a round
// of a bulk job's creates at once.
type linkHook func(eventType string, links []*redirect.Link)

// one calls h with one link, as linkapi.APIConfig.OnLinkEvent.
func (h linkHook) one(eventType string, l *redirect.Link) { h(eventType, []*redirect.Link{l}) }

// replicateLinks tails the links topic into store until ctx is done. A
// record that is not a valid link is logged with its offset and skipped:
// one bad record must not stop a node from following every other link.
func replicateLinks(ctx context.Context, kcfg ingest.KafkaConfig, topic string, store *redirect.Store, log *slog.Logger) error {
	offsets, err := store.ReplicaOffsets(ctx, topic)
	if err != nil {
		return err
	}
	return ingest.Tail(ctx, kcfg, topic, offsets, ingest.BatchOptions{MaxRecords: 1000, MaxWait: 100 * time.Millisecond},
		func(ctx context.Context, batch []ingest.Record) error {
			for _, r := range batch {
				applyLinkRecord(ctx, store, r, log)
				offsets[r.Partition] = r.Offset + 1
			}
			return store.SetReplicaOffsets(ctx, topic, offsets)
		})
}

func applyLinkRecord(ctx context.Context, store *redirect.Store, r ingest.Record, log *slog.Logger) {
	rec, err := schemas.DecodeLinkRecord(r.Value)
	if err != nil {
		log.Error("links topic: skip a record that is not a link", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
		return
	}
	l := redirect.LinkFromRecord(rec)
	if string(r.Key) != schemas.LinkRecordKey(l.Domain, l.Path) {
		log.Error("links topic: skip a record whose key is not its link's domain/path", "topic", r.Topic,
			"partition", r.Partition, "offset", r.Offset, "key", string(r.Key), "link", l.ID)
		return
	}
	if _, err := store.ApplyNewerUnsynced(ctx, l); err != nil { // synced with the batch's offsets
		log.Error("links topic: skip a link the store refused", "topic", r.Topic, "partition", r.Partition,
			"offset", r.Offset, "link", l.ID, "err", err)
	}
}
