package redirect

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/internal/pebblekv"
)

// Limits of Store.List.
const (
	DefaultListLimit = 50
	MaxListLimit     = 1000
	// MaxListScan is the default of ListQuery.MaxScan.
	MaxListScan = 100_000
)

// ListQuery selects links for Store.List. Zero fields do not filter.
type ListQuery struct {
	WorkspaceID string // required
	Domain      string
	Tag         string // the link has this tag (exact match)
	// Text matches, case-insensitively, a substring of path or
	// destination_url.
	Text string
	// Created and updated ranges: After is inclusive, Before exclusive.
	CreatedAfter, CreatedBefore time.Time
	UpdatedAfter, UpdatedBefore time.Time
	IncludeDeleted              bool
	// After is the id of the last link of the previous page ("" for the
	// first page); see ListCursor.
	After string
	Limit int // 0 means DefaultListLimit; at most MaxListLimit
	// MaxScan bounds the links one List call reads; 0 means MaxListScan.
	// A selective filter over a large store then answers a short (even
	// empty) page with a cursor instead of scanning everything at once.
	MaxScan int
}

func (q *ListQuery) match(l *Link) bool {
	switch {
	case l.WorkspaceID != q.WorkspaceID,
		q.Domain != "" && l.Domain != q.Domain,
		q.Tag != "" && !slices.Contains(l.Tags, q.Tag),
		!q.IncludeDeleted && l.DeletedAt != nil,
		!q.CreatedAfter.IsZero() && l.CreatedAt.Before(q.CreatedAfter),
		!q.CreatedBefore.IsZero() && !l.CreatedAt.Before(q.CreatedBefore),
		!q.UpdatedAfter.IsZero() && l.UpdatedAt.Before(q.UpdatedAfter),
		!q.UpdatedBefore.IsZero() && !l.UpdatedAt.Before(q.UpdatedBefore):
		return false
	}
	return q.Text == "" || containsFold(l.Path, q.Text) || containsFold(l.DestinationURL, q.Text)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// List returns up to q.Limit links matching q in id order, after q.After,
// and the id to pass as After for the next page ("" when there is none; a
// page that ends exactly at the last link may be followed by an empty one).
//
// It walks the id index ("i/<id>") from the cursor and reads each link:
// one ordered iterator step plus one point read per link scanned, and at
// most q.MaxScan links per call. Chosen over a secondary index by created
// time because it needs no second index kept in step with every write
// (and none to rebuild for stores written before listing existed); the
// cost is that a filter is applied by reading links, so a selective
// filter over N links costs O(N) reads spread over pages of bounded work.
//
// Pagination is stable under concurrent writes: ids never change, so every
// link that exists for the whole walk is returned exactly once; a link
// created meanwhile (ids are random) is returned iff its id sorts after the
// cursor at the time.
func (s *Store) List(ctx context.Context, q ListQuery) ([]*Link, string, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultListLimit
	}
	q.Limit = min(q.Limit, MaxListLimit)
	if q.MaxScan <= 0 {
		q.MaxScan = MaxListScan
	}
	lower := indexKey(q.After)
	if q.After != "" {
		lower = append(lower, 0) // strictly after
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(indexPrefix)})
	if err != nil {
		return nil, "", fmt.Errorf("list links: %w", err)
	}
	defer it.Close()
	var (
		out     []*Link
		scanned int
		last    string
	)
	for valid := it.First(); valid; valid = it.Next() {
		if err := ctx.Err(); err != nil {
			return nil, "", fmt.Errorf("list links: %w", err)
		}
		last = string(it.Key()[len(indexPrefix):])
		scanned++
		l, err := s.readLink(it.Value())
		if err != nil {
			return nil, "", fmt.Errorf("list links: %w", err)
		}
		if l != nil && l.ID == last && q.match(l) {
			out = append(out, l)
			if len(out) == q.Limit {
				break
			}
		}
		if scanned == q.MaxScan {
			break
		}
	}
	if err := it.Error(); err != nil {
		return nil, "", fmt.Errorf("list links: %w", err)
	}
	if len(out) < q.Limit && scanned < q.MaxScan { // the index is exhausted
		last = ""
	}
	return out, last, nil
}

// prefixEnd is the first key after every key with prefix p.
func prefixEnd(p string) []byte { return pebblekv.PrefixEnd([]byte(p)) }
