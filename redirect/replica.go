package redirect

import (
	"context"
	"errors"
	"fmt"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/cockroachdb/pebble/v2"
)

// A redirect node replicates the links of the compacted links topic into its
// store with ApplyNewerUnsynced, and keeps how far it has read each partition under
// "ls/<topic>", so a restart resumes there instead of re-reading the topic.
// Re-reading is harmless (ApplyNewerUnsynced keeps the newer version), only slower.

const replicaPrefix = "ls/"

// ReplicaOffsets returns the next offset to read of each partition of topic,
// as SetReplicaOffsets last stored them (empty when never).
func (s *Store) ReplicaOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	offsets := map[int32]int64{}
	err := pebblekv.GetJSON(ctx, s.db, []byte(replicaPrefix+topic), &offsets)
	if errors.Is(err, pebble.ErrNotFound) {
		return map[int32]int64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read replica offsets of %s: %w", topic, err)
	}
	return offsets, nil
}

// SetReplicaOffsets stores the next offset to read of each partition of
// topic, synced: the sync also makes every link applied before it with
// ApplyNewerUnsynced durable.
func (s *Store) SetReplicaOffsets(ctx context.Context, topic string, offsets map[int32]int64) error {
	return pebblekv.PutJSON(ctx, s.db, []byte(replicaPrefix+topic), offsets)
}

// ApplyNewerUnsynced applies a replicated link unless the store holds a
// version of the same link updated at the same time or later (last writer
// wins on UpdatedAt), so that an old record read again after a restart, or
// this node's own change coming back through the topic, never reverts a
// link nor costs a write: a node that creates 100,000 links would
// otherwise write each twice, and every write invalidates a shard of the
// redirect cache. It reports whether l was applied.
//
// The first read, without the lock, skips most stale records before they
// are encoded; the comparison that decides is made again under the store's
// write lock (modeApplyNewer), so a concurrent update through the API is
// never overwritten by an older replicated version.
//
// It does not sync the WAL: an applied link is visible at once and durable
// once a later synced write of the store returns. Replication applies a
// batch of records this way and then stores the batch's offsets with
// SetReplicaOffsets, whose sync covers every link before it: one fsync per
// batch instead of one per link (a node following a 100,000-link bulk job
// paid 100,000), and a crash before that sync loses the links together
// with their offsets, so they are read again.
func (s *Store) ApplyNewerUnsynced(ctx context.Context, l *Link) (bool, error) {
	local, err := s.Get(ctx, l.ID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, fmt.Errorf("apply link %s: %w", l.ID, err)
	case !l.UpdatedAt.After(local.UpdatedAt):
		return false, nil
	}
	switch err := s.writeUnsynced(ctx, l, modeApplyNewer); {
	case errors.Is(err, errNotNewer):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("apply link %s: %w", l.ID, err)
	}
	return true, nil
}
