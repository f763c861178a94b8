package redirect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
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
func (s *Store) CreateBatch(ctx context.Context, links []*Link, opts BatchOptions) ([]error, error) {
	return s.createBatch(ctx, links, opts.FreshIDs, opts.Extra)
}

// BatchOptions are what a bulk job adds to CreateBatch.
type BatchOptions struct {
	// FreshIDs says that the id of every link was made by NewLinkID for
	// this call and was never stored (a bulk job's links: their ids come
	// from its decoder, and a link that lost its path kept its id but
	// stored nothing): such ids are not looked up (see commitBatch).
	FreshIDs bool
	// Extra, when set, adds writes to the batch (a job's item outcomes,
	// its idempotency keys, audit records), under the store's write lock,
	// knowing which links will be created (errs[i] == nil): they commit
	// atomically with the links. Its error aborts the whole batch.
	Extra BatchExtra
}

// BatchExtra adds writes to a CreateBatch batch; see BatchOptions.Extra.
type BatchExtra func(b *pebble.Batch, errs []error) error

// createBatch is CreateBatch with extra writes (nil for none) and freshIDs
// (see BatchOptions).
//
// Design: validation and encoding run before the lock; under s.mu each
// link's checks are one to three point reads from one probe (its bloom
// filters make the absent keys cheap, see pebblekv.Probe; a fresh id is not read,
// see commitBatch) plus two maps for the batch's own paths and external
// ids, then one NoSync commit; the WAL sync runs after the lock is
// released so single creates are held up by the commit only. Rejected:
// calling Create per link, which costs one lock round and one fsync per
// link and caps a job at a few thousand links a second.
func (s *Store) createBatch(ctx context.Context, links []*Link, freshIDs bool, extra BatchExtra) ([]error, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("create links: %w", err)
	}
	errs := make([]error, len(links))
	stored := make([]*Link, len(links))
	vals := make([][]byte, len(links))
	fresh := make([]bool, len(links)) // see commitBatch
	for i, l := range links {
		fresh[i] = freshIDs
		if l.ID == "" {
			l.ID, fresh[i] = NewLinkID(), true
		}
		if err := l.Validate(); err != nil {
			errs[i] = err
			continue
		}
		stored[i] = l.Clone()
		v, err := encodeLinkFast(stored[i])
		if err != nil {
			errs[i] = err
			continue
		}
		vals[i] = v
	}
	if err := s.commitBatch(stored, vals, fresh, errs, extra); err != nil {
		return nil, fmt.Errorf("create links: %w", err)
	}
	if err := s.syncWAL(); err != nil {
		return nil, fmt.Errorf("create links: %w", err)
	}
	return errs, nil
}

// commitBatch checks and writes the links that have no error yet (see
// createBatch), recording each refusal in errs.
//
// The id of a link is looked up only when the caller chose it: a fresh id
// (made by NewLinkID for this batch, see createBatch) has 131 bits from
// crypto/rand, and the odds that it is already taken, about n/2^131 with n
// links stored, are far below those of a disk error; the lookup was a
// third of a bulk round's reads.
func (s *Store) commitBatch(links []*Link, vals [][]byte, fresh []bool, errs []error, extra BatchExtra) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr, err := pebblekv.NewProbe(s.db) // made under s.mu: it sees every link write
	if err != nil {
		return err
	}
	defer pr.Close()
	b := s.db.NewBatch()
	defer b.Close()
	// The keys of every link (its path, and its id unless fresh) are
	// looked up at once, in key order (see pebblekv.Probe.GetAll); the batch's own
	// paths and external ids are in maps.
	keys := make([][]byte, 0, 2*len(links))
	for i, l := range links {
		if errs[i] == nil {
			keys = append(keys, recordKey(l.Domain, l.Path))
			if !fresh[i] {
				keys = append(keys, indexKey(l.ID))
			}
		}
	}
	found, err := pr.GetAll(keys)
	if err != nil {
		return err
	}
	paths := make(map[string]string, len(links)) // record key -> id, this batch
	exts := map[string]string{}                  // external key -> id, this batch
	for i, l := range links {
		if errs[i] != nil {
			continue
		}
		rk, holder, idTaken := keys[0], found[0], false
		keys, found = keys[1:], found[1:]
		if !fresh[i] {
			idTaken = found[0] != nil
			keys, found = keys[1:], found[1:]
		}
		err := s.batchOne(b, l, rk, holder, idTaken, vals[i], paths, exts)
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
// the batch's own paths and external ids. rk is the link's record key,
// holder what the store holds there (nil: nothing) and idTaken whether
// its id is in the store's id index.
func (s *Store) batchOne(b *pebble.Batch, l *Link, rk, holder []byte, idTaken bool, val []byte, paths, exts map[string]string) error {
	if id, ok := paths[string(rk)]; ok {
		return &PathTakenError{Domain: l.Domain, Path: l.Path, ExistingID: id}
	}
	if holder != nil {
		h, err := decodeLink(holder)
		if err != nil {
			return fmt.Errorf("read %s: %w", rk, err)
		}
		return &PathTakenError{Domain: l.Domain, Path: l.Path, ExistingID: h.ID}
	}
	if idTaken {
		return FieldErrorf("id", "link id %s already exists", l.ID)
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
