package redirect

import (
	"context"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Create stores a new link. When l.ID is empty it is set to a new id.
//
// It returns a *PathTakenError (errors.Is(err, ErrPathTaken)) when another
// link holds l.Domain/l.Path, an *ExternalIDTakenError when another link of
// the workspace has l.ExternalID, and a *FieldError when l is invalid. nil means
// the link is durable (synced to disk). Of two concurrent creates of the same
// domain/path exactly one succeeds. A failed Create may be retried as it is.
func (s *Store) Create(ctx context.Context, l *Link) error {
	if l.ID == "" {
		l.ID = NewLinkID()
	}
	if err := s.write(ctx, l, modeCreate); err != nil {
		return fmt.Errorf("create link: %w", err)
	}
	return nil
}

// Put replaces the stored link that has l.ID with l (all fields; keep
// CreatedAt yourself). The link may move to a new domain/path: the old one
// then stops resolving. It returns ErrNotFound for an unknown id, a
// *PathTakenError when another link holds the new domain/path, an
// *ExternalIDTakenError when another link has its external id, and nil once
// the update is durable. Lookups see the update as soon as Put returns.
func (s *Store) Put(ctx context.Context, l *Link) error {
	if err := s.write(ctx, l, modeUpdate); err != nil {
		return fmt.Errorf("update link %s: %w", l.ID, err)
	}
	return nil
}

type writeMode int

const (
	modeCreate writeMode = iota
	modeUpdate
	modeApply
	// modeApplyNewer is modeApply unless the stored version of the link
	// was updated at the same time or later (errNotNewer then): decided
	// under s.mu, so an API update racing a replicated record keeps the
	// newer of the two.
	modeApplyNewer
)

// errNotNewer is commit's answer in modeApplyNewer when the store holds the
// link as new or newer: nothing was written.
var errNotNewer = errors.New("the stored link is as new or newer")

// write stores a copy of l.
//
// Invariant: each "i/<id>" names exactly one "r/" key whose link has that id,
// and the cache agrees with pebble. The check (who holds the path, where the
// id was) and the batch that follows run under s.mu, which makes two writers
// of the same path impossible to both win. The batch is committed without
// sync under the lock (visible at once, in order), and the WAL is synced
// after the lock is released: concurrent writers then share one fsync (group
// commit) instead of paying one each in turn. A WAL sync covers every record
// before it, so when write returns nil the batch is durable. Rejected:
// committing with pebble.Sync under the lock, which serializes fsyncs and
// caps creates at one per disk sync.
func (s *Store) write(ctx context.Context, l *Link, mode writeMode) error {
	if err := s.writeUnsynced(ctx, l, mode); err != nil {
		return err
	}
	return s.syncWAL()
}

// writeUnsynced is write without the WAL sync: the batch is visible at once
// and durable once a later synced write of the store returns.
func (s *Store) writeUnsynced(ctx context.Context, l *Link, mode writeMode) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return err
	}
	stored := l.Clone()
	val, err := encodeLinkFast(stored)
	if err != nil {
		return err
	}
	e, err := newEntry(stored)
	if err != nil {
		return err
	}
	return s.commit(stored, val, e, mode)
}

// syncWAL makes every batch committed so far durable.
func (s *Store) syncWAL() error {
	if err := s.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

func (s *Store) commit(l *Link, val []byte, e *entry, mode writeMode) error {
	rk := recordKey(l.Domain, l.Path)
	s.mu.Lock()
	defer s.mu.Unlock()

	holder, err := s.readLink(rk)
	if err != nil {
		return err
	}
	prev, err := s.read(indexKey(l.ID))
	if err != nil {
		return err
	}
	if mode == modeApplyNewer {
		if prev != nil {
			cur := holder
			if string(prev) != string(rk) {
				if cur, err = s.readLink(prev); err != nil {
					return err
				}
			}
			if cur != nil && cur.ID == l.ID && !l.UpdatedAt.After(cur.UpdatedAt) {
				return errNotNewer
			}
		}
		mode = modeApply
	}
	b := s.db.NewBatch()
	defer b.Close()
	switch {
	case mode == modeCreate && holder != nil:
		return &PathTakenError{Domain: l.Domain, Path: l.Path, ExistingID: holder.ID}
	case mode == modeCreate && prev != nil:
		return fmt.Errorf("link id %s already exists", l.ID)
	case mode == modeUpdate && prev == nil:
		return ErrNotFound
	case mode == modeUpdate && holder != nil && holder.ID != l.ID:
		return &PathTakenError{Domain: l.Domain, Path: l.Path, ExistingID: holder.ID}
	case mode == modeApply && holder != nil && holder.ID != l.ID:
		if err := b.Delete(indexKey(holder.ID), nil); err != nil {
			return err
		}
	}
	if err := s.indexExternalID(b, l, prev, mode); err != nil {
		return err
	}
	moved := prev != nil && string(prev) != string(rk)
	if moved {
		if err := b.Delete(prev, nil); err != nil {
			return err
		}
	}
	if err := b.Set(rk, val, nil); err != nil {
		return err
	}
	if err := b.Set(indexKey(l.ID), rk, nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.cache.set(cacheKey{l.Domain, l.Path}, e)
	if moved {
		if d, p, ok := splitRecordKey(prev); ok {
			s.cache.set(cacheKey{d, p}, missing)
		}
	}
	return nil
}
