package bulk

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/cockroachdb/pebble/v2"
)

// jobStore keeps bulk jobs in the link store's pebble database (see
// job.go for the keys).
type jobStore struct{ db *pebble.DB }

func newJobStore(links *redirect.Store) *jobStore { return &jobStore{db: links.DB()} }

// ErrJobNotFound is returned for a job that does not exist.
var ErrJobNotFound = errors.New("job not found")

// createJob stores a new job and its raw items in one synced batch.
func (s *jobStore) createJob(ctx context.Context, rec *jobRecord, items [][]byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store job: %w", err)
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store job: encode: %w", err)
	}
	b := s.db.NewBatch()
	defer b.Close()
	for first := 0; first < len(items); first += JobChunkItems {
		chunk := items[first:min(first+JobChunkItems, len(items))]
		if err := b.Set(jobChunkKey(rec.ID, first), encodeChunk(chunk), nil); err != nil {
			return fmt.Errorf("store job: %w", err)
		}
	}
	if err := b.Set(jobKey(rec.ID), v, nil); err != nil {
		return fmt.Errorf("store job: %w", err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store job: commit: %w", err)
	}
	return nil
}

// encodeChunk lays out raw items as a count and length-prefixed items.
func encodeChunk(items [][]byte) []byte {
	n := binary.MaxVarintLen64
	for _, it := range items {
		n += binary.MaxVarintLen64 + len(it)
	}
	out := binary.AppendUvarint(make([]byte, 0, n), uint64(len(items)))
	for _, it := range items {
		out = binary.AppendUvarint(out, uint64(len(it)))
		out = append(out, it...)
	}
	return out
}

func decodeChunk(v []byte) ([][]byte, error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || n > JobChunkItems {
		return nil, errors.New("decode job chunk: bad count")
	}
	v = v[k:]
	items := make([][]byte, 0, n)
	for range n {
		l, k := binary.Uvarint(v)
		if k <= 0 || l > uint64(len(v)-k) {
			return nil, errors.New("decode job chunk: bad item length")
		}
		items = append(items, v[k:k+int(l)])
		v = v[k+int(l):]
	}
	return items, nil
}

// jobChunk returns the raw items of job id starting at index first.
func (s *jobStore) jobChunk(id string, first int) ([][]byte, error) {
	var v []byte
	found, err := pebblekv.Get(s.db, jobChunkKey(id, first), func(b []byte) error {
		v = append([]byte(nil), b...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read job %s items from %d: %w", id, first, err)
	}
	if !found {
		return nil, fmt.Errorf("read job %s items from %d: missing", id, first)
	}
	return decodeChunk(v)
}

// getJob returns the stored job id, or ErrJobNotFound.
func (s *jobStore) getJob(ctx context.Context, id string) (*jobRecord, error) {
	if !validJobID(id) {
		return nil, ErrJobNotFound
	}
	var rec jobRecord
	err := pebblekv.GetJSON(ctx, s.db, jobKey(id), &rec)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrJobNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get job %s: %w", id, err)
	}
	return &rec, nil
}

// putJob stores rec, synced.
func (s *jobStore) putJob(ctx context.Context, rec *jobRecord) error {
	if err := pebblekv.PutJSON(ctx, s.db, jobKey(rec.ID), rec); err != nil {
		return fmt.Errorf("store job %s: %w", rec.ID, err)
	}
	return nil
}

// finishJob stores rec, which has finished, and deletes its raw items in
// the same synced batch: once a job is done nothing reads them again
// (GET /v1/jobs/{id}/items reads the outcomes), and left in place they
// would cost about 150 bytes per link for ever, rewritten by every
// compaction that meets them. A range tombstone is one key, however many
// chunks it covers.
func (s *jobStore) finishJob(ctx context.Context, rec *jobRecord) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("finish job %s: %w", rec.ID, err)
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("finish job %s: encode: %w", rec.ID, err)
	}
	b := s.db.NewBatch()
	defer b.Close()
	if err := b.Set(jobKey(rec.ID), v, nil); err != nil {
		return fmt.Errorf("finish job %s: %w", rec.ID, err)
	}
	if err := b.DeleteRange(jobChunkKey(rec.ID, 0), jobChunkKey(rec.ID, rec.Total), nil); err != nil {
		return fmt.Errorf("finish job %s: %w", rec.ID, err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("finish job %s: commit: %w", rec.ID, err)
	}
	return nil
}

// unfinishedJobs returns the jobs that are queued or running, or finished
// with a callback still to deliver, oldest first.
func (s *jobStore) unfinishedJobs(ctx context.Context) ([]*jobRecord, error) {
	jobs, err := pebblekv.ListJSON(ctx, s.db, jobPrefix, func(r *jobRecord) bool { return !r.Done() || r.CallbackPending })
	if err != nil {
		return nil, err
	}
	slices.SortFunc(jobs, func(a, b *jobRecord) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return jobs, nil
}

// itemsDone returns which items of [first, first+n) of job id have an
// outcome.
func (s *jobStore) itemsDone(id string, first, n int) ([]bool, error) {
	done := make([]bool, n)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: jobItemKey(id, first), UpperBound: jobItemKey(id, first+n)})
	if err != nil {
		return nil, fmt.Errorf("read job %s outcomes: %w", id, err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		k := it.Key()
		if i := int(binary.BigEndian.Uint64(k[len(k)-8:])) - first; i >= 0 && i < n {
			done[i] = true
		}
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("read job %s outcomes: %w", id, err)
	}
	return done, nil
}

// jobItems returns up to limit outcomes of job id from index from on (with
// status, when not empty), reading at most maxScan outcomes, and the index
// to continue from (-1 after the last).
func (s *jobStore) jobItems(ctx context.Context, id string, from, limit int, status string, maxScan int) ([]JobItem, []itemRecord, int, error) {
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: jobItemKey(id, from), UpperBound: pebblekv.PrefixEnd([]byte(jobItemPrefix + id + "/"))})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("list job %s items: %w", id, err)
	}
	defer it.Close()
	var (
		items []JobItem
		recs  []itemRecord
	)
	next, scanned := -1, 0
	for it.First(); it.Valid(); it.Next() {
		k := it.Key()
		idx := int(binary.BigEndian.Uint64(k[len(k)-8:]))
		if len(items) == limit || scanned == maxScan {
			next = idx
			break
		}
		scanned++
		var r itemRecord
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			return nil, nil, 0, fmt.Errorf("decode job %s item %d: %w", id, idx, err)
		}
		if status != "" && r.Status != status {
			continue
		}
		items = append(items, JobItem{Index: idx, Status: r.Status, LinkID: r.LinkID, Error: r.Error})
		recs = append(recs, r)
	}
	if err := it.Error(); err != nil {
		return nil, nil, 0, fmt.Errorf("list job %s items: %w", id, err)
	}
	return items, recs, next, nil
}

// decodeKeyRecord decodes the value of an item idempotency key.
func decodeKeyRecord(v []byte) (*keyRecord, error) {
	var r keyRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("decode item idempotency record: %w", err)
	}
	return &r, nil
}
