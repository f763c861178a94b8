package redirect

import (
	"context"
	"fmt"

	"github.com/clicktrail/clicktrail/internal/base62"
	"github.com/cockroachdb/pebble/v2"
)

// MaxExternalIDLen is the longest external id accepted.
const MaxExternalIDLen = 128

// externalPrefix starts the external id index: "x/<workspace>/<external
// id>" holds the id of the link that has it. A workspace id never contains
// '/', and an external id never does either (see ValidateExternalID), so
// keys of different workspaces cannot collide.
const externalPrefix = "x/"

func externalKey(workspace, externalID string) []byte {
	k := make([]byte, 0, len(externalPrefix)+len(workspace)+1+len(externalID))
	k = append(k, externalPrefix...)
	k = append(k, workspace...)
	k = append(k, '/')
	return append(k, externalID...)
}

// ValidateExternalID checks a link's external id: 1 to MaxExternalIDLen
// characters of A-Z a-z 0-9 and "_ . - : @", which covers CRM record ids,
// SKUs and e-mail-like keys while staying safe in a URL path segment. It
// returns a *FieldError naming "external_id".
func ValidateExternalID(id string) error {
	if id == "" || len(id) > MaxExternalIDLen {
		return FieldErrorf("external_id", "want 1 to %d characters, got %d", MaxExternalIDLen, len(id))
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !base62.IsAlnum(c) && c != '_' && c != '.' && c != '-' && c != ':' && c != '@' {
			return FieldErrorf("external_id", "character %d (%s) is not allowed; want A-Z a-z 0-9 _ . - : @", i, quoteByte(c))
		}
	}
	return nil
}

// GetByExternalID returns the link of the workspace that has externalID, or
// ErrNotFound. The caller owns the returned link.
func (s *Store) GetByExternalID(ctx context.Context, workspace, externalID string) (*Link, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get link by external id: %w", err)
	}
	if ValidateExternalID(externalID) != nil {
		return nil, fmt.Errorf("get link by external id %.40q: %w", externalID, ErrNotFound)
	}
	id, err := s.read(externalKey(workspace, externalID))
	if err != nil {
		return nil, fmt.Errorf("get link by external id %q: %w", externalID, err)
	}
	if id == nil {
		return nil, fmt.Errorf("get link by external id %q: %w", externalID, ErrNotFound)
	}
	l, err := s.Get(ctx, string(id))
	if err != nil {
		return nil, fmt.Errorf("get link by external id %q: %w", externalID, err)
	}
	if l.ExternalID != externalID || l.WorkspaceID != workspace { // the index lost to an Apply
		return nil, fmt.Errorf("get link by external id %q: %w", externalID, ErrNotFound)
	}
	return l, nil
}

// indexExternalID adds to b the external id index changes of writing l,
// whose previous record key is prev (nil for a new link). It runs under
// s.mu. Create and Put refuse an external id another link has; Apply takes
// it (the other link keeps the field but is no longer found by it).
func (s *Store) indexExternalID(b *pebble.Batch, l *Link, prev []byte, mode writeMode) error {
	var oldExt string
	if prev != nil {
		old, err := s.readLink(prev)
		if err != nil {
			return err
		}
		if old != nil {
			oldExt = old.ExternalID
		}
	}
	if l.ExternalID != "" {
		owner, err := s.read(externalKey(l.WorkspaceID, l.ExternalID))
		if err != nil {
			return err
		}
		if owner != nil && string(owner) != l.ID && mode != modeApply {
			if _, err := s.Get(context.Background(), string(owner)); err == nil {
				return &ExternalIDTakenError{WorkspaceID: l.WorkspaceID, ExternalID: l.ExternalID, ExistingID: string(owner)}
			}
			// The owner is gone (displaced by an Apply): the id is free.
		}
	}
	if oldExt != "" && oldExt != l.ExternalID {
		k := externalKey(l.WorkspaceID, oldExt)
		owner, err := s.read(k)
		if err != nil {
			return err
		}
		if string(owner) == l.ID {
			if err := b.Delete(k, nil); err != nil {
				return err
			}
		}
	}
	if l.ExternalID != "" {
		return b.Set(externalKey(l.WorkspaceID, l.ExternalID), []byte(l.ID), nil)
	}
	return nil
}
