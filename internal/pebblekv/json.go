package pebblekv

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// JSON records: small values stored as encoding/json beside other data of a
// store (workspaces, API keys, templates, job records, replica offsets).

// PutJSON stores v as JSON under key, synced.
func PutJSON(ctx context.Context, w pebble.Writer, key []byte, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := w.Set(key, b, pebble.Sync); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

// GetJSON decodes the JSON record under key into v; pebble.ErrNotFound
// when there is none.
func GetJSON(ctx context.Context, r pebble.Reader, key []byte, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	found, err := Get(r, key, func(b []byte) error {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !found {
		return pebble.ErrNotFound
	}
	return nil
}

// ListJSON decodes every record under prefix that keep (nil: all)
// accepts, in key order.
func ListJSON[T any](ctx context.Context, db *pebble.DB, prefix string, keep func(*T) bool) ([]*T, error) {
	it, err := db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: []byte(prefix), UpperBound: PrefixEnd([]byte(prefix))})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	defer it.Close()
	var out []*T
	for it.First(); it.Valid(); it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", it.Key(), err)
		}
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	return out, nil
}
