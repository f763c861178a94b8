package redirect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
)

// CreateBatch stores many new links with one pebble batch and one WAL sync,
// for bulk jobs. It gives a link with an empty ID a new id.
//
// It returns one error per link, in order: nil when the link was created,
// else what Create would have returned for it alone (a *PathTakenError, an
// *ExternalIDTakenError, a *FieldError), where a link also loses to an
// earlier link of the same batch holding its domain/path or external id.
// The links that fail are left out; the others are written all together.
// The second result is non-nil only when nothing could be written (a
// cancelled context, a storage error): no link of the batch was created
// then, and the call may be retried as it is.
//
// The invariants are Create's: paths are unique per domain, external ids
// per workspace, and nil means durable. Unlike Create, it does not put the
// new links in the cache, where a million of them would evict the links
// that take the traffic: it only replaces the entries of their domain/path
// that are cached (remembered misses), so lookups see them at once.
func (s *Store) CreateBatch(ctx context.Context, links []*Link) ([]error, error) {
	return s.createBatch(ctx, links, nil)
}

// batchExtra adds writes to a CreateBatch batch, under the store's write
// lock, knowing which links will be created (errs[i] == nil): they commit
// atomically with the links. Its error aborts the whole batch.
type batchExtra func(b *pebble.Batch, errs []error) error

// createBatch is CreateBatch with extra writes (nil for none).
//
// Design: validation and encoding run before the lock; under s.mu each
// link's checks are two or three point reads (bloom filters make the
// absent keys cheap) plus two maps for the batch's own paths and external
// ids, then one NoSync commit; the WAL sync runs after the lock is released
// so single creates are held up by the commit only. Rejected: calling
// Create per link, which costs one lock round and one fsync per link and
// caps a job at a few thousand links a second.
func (s *Store) createBatch(ctx context.Context, links []*Link, extra batchExtra) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create links: %w", err)
	}
	errs := make([]error, len(links))
	stored := make([]*Link, len(links))
	vals := make([][]byte, len(links))
	for i, l := range links {
		if l.ID == "" {
			l.ID = NewLinkID()
		}
		if err := l.Validate(); err != nil {
			errs[i] = err
			continue
		}
		stored[i] = l.clone()
		v, err := encodeLink(stored[i])
		if err != nil {
			errs[i] = err
			continue
		}
		vals[i] = v
	}
	if err := s.commitBatch(stored, vals, errs, extra); err != nil {
		return nil, fmt.Errorf("create links: %w", err)
	}
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		return nil, fmt.Errorf("create links: sync: %w", err)
	}
	return errs, nil
}

// commitBatch checks and writes the links that have no error yet (see
// createBatch), recording each refusal in errs.
func (s *Store) commitBatch(links []*Link, vals [][]byte, errs []error, extra batchExtra) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	paths := make(map[string]string, len(links)) // record key -> id, this batch
	exts := map[string]string{}                  // external key -> id, this batch
	for i, l := range links {
		if errs[i] != nil {
			continue
		}
		err := s.batchOne(b, l, vals[i], paths, exts)
		var fe *FieldError
		if err != nil && !errors.As(err, new(*PathTakenError)) && !errors.As(err, new(*ExternalIDTakenError)) && !errors.As(err, &fe) {
			return err // a storage error: nothing of the batch is committed
		}
		errs[i] = err
	}
	if extra != nil {
		if err := extra(b, errs); err != nil {
			return err
		}
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for i, l := range links {
		if errs[i] == nil {
			s.cache.replaceCached(cacheKey{l.Domain, l.Path}, l, s.log)
		}
	}
	return nil
}

// batchOne adds one new link to b after the checks of Create, and against
// the batch's own paths and external ids.
func (s *Store) batchOne(b *pebble.Batch, l *Link, val []byte, paths, exts map[string]string) error {
	rk := recordKey(l.Domain, l.Path)
	if id, ok := paths[string(rk)]; ok {
		return &PathTakenError{Domain: l.Domain, Path: l.Path, ExistingID: id}
	}
	holder, err := s.readLink(rk)
	if err != nil {
		return err
	}
	if holder != nil {
		return &PathTakenError{Domain: l.Domain, Path: l.Path, ExistingID: holder.ID}
	}
	if prev, err := s.read(indexKey(l.ID)); err != nil || prev != nil {
		if err != nil {
			return err
		}
		return fieldErr("id", "link id %s already exists", l.ID)
	}
	if l.ExternalID != "" {
		xk := string(externalKey(l.WorkspaceID, l.ExternalID))
		if id, ok := exts[xk]; ok {
			return &ExternalIDTakenError{WorkspaceID: l.WorkspaceID, ExternalID: l.ExternalID, ExistingID: id}
		}
		if err := s.indexExternalID(b, l, nil, modeCreate); err != nil {
			return err
		}
		exts[xk] = l.ID
	}
	paths[string(rk)] = l.ID
	if err := b.Set(rk, val, nil); err != nil {
		return err
	}
	return b.Set(indexKey(l.ID), rk, nil)
}

// replaceCached is the cache side of a batched create of l: it bumps the
// shard's generation, so a concurrent fill that read pebble before the
// commit is dropped, and replaces the entry of k only when k is cached.
func (c *linkCache) replaceCached(k cacheKey, l *Link, log *slog.Logger) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	i, ok := s.idx[k]
	if !ok {
		return
	}
	e, err := newEntry(l)
	if err != nil { // validated links always compile; never serve a stale miss
		log.Error("link store: new link is unusable", "link_id", l.ID, "err", err)
		e = missing
	}
	s.slots[i].e = e
}
