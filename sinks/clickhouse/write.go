package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/clicktrail/clicktrail/schemas"
)

// Rejection is one click Write can never insert, whatever the retries.
type Rejection struct {
	Index int   // position in the slice given to Write
	Err   error // what is wrong, naming the field
}

// RejectedError is returned by Write when some clicks are invalid (a
// malformed event_id, an unknown type, a time DateTime cannot hold). The
// other clicks of the call were inserted and acknowledged: the caller
// dead-letters the rejected ones and must not retry the batch for them.
type RejectedError struct {
	Rejected []Rejection
}

func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d clicks rejected", len(e.Rejected))
	for i, r := range e.Rejected {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Rejected)-i)
			break
		}
		fmt.Fprintf(&b, "; click %d: %v", r.Index, r.Err)
	}
	return b.String()
}

// RejectedRows maps the index of each rejected click to why it was
// rejected. The pipeline's sink stage dead-letters them through this method
// without importing this package.
func (e *RejectedError) RejectedRows() map[int]error {
	m := make(map[int]error, len(e.Rejected))
	for _, r := range e.Rejected {
		m[r.Index] = r.Err
	}
	return m
}

// Write inserts clicks with one INSERT and returns nil only once ClickHouse
// acknowledged it (synchronously: async_insert=0 on servers that know it).
//
// On any other error than *RejectedError nothing is known: some, all or
// none of the rows may be stored. The caller retries the same slice; the
// ReplacingMergeTree collapses the copies (see the package doc), so a retry
// never double-counts. Write itself retries a failed INSERT Config.MaxRetries
// times with backoff before returning. Each attempt builds a fresh batch from
// clicks: a clickhouse-go batch cannot be reused after Send, even a failed
// one, so the caller's slice is the only retry buffer. Write does not modify
// clicks.
//
// A *RejectedError means the valid clicks were inserted and acknowledged and
// the listed ones never can be (see RejectedError). An empty slice is a
// no-op.
func (w *Writer) Write(ctx context.Context, clicks []*schemas.EnrichedClick) error {
	return w.writeValues(ctx, w.insertSQL, w.cfg.Table, len(clicks), func(i int) ([]any, error) { return rowValues(clicks[i]) })
}

// writeValues inserts the rows values(0..n-1) gives with query (an INSERT
// into table), in one statement retried inside; the items values refuses
// are returned in a *RejectedError after the others were inserted.
func (w *Writer) writeValues(ctx context.Context, query, table string, n int, values func(i int) ([]any, error)) error {
	rows := make([][]any, 0, n)
	var rejected []Rejection
	for i := range n {
		row, err := values(i)
		if err != nil {
			rejected = append(rejected, Rejection{Index: i, Err: err})
			continue
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		if err := w.insertWithRetries(ctx, query, table, rows); err != nil {
			return err
		}
	}
	if rejected != nil {
		return &RejectedError{Rejected: rejected}
	}
	return nil
}

// insertWithRetries sends rows with query (an INSERT into table),
// retrying a failed attempt Config.MaxRetries times with backoff.
func (w *Writer) insertWithRetries(ctx context.Context, query, table string, rows [][]any) error {
	backoff := w.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		err := w.insert(ctx, query, rows)
		if err == nil {
			return nil
		}
		if attempt >= w.cfg.MaxRetries || ctx.Err() != nil {
			return fmt.Errorf("insert %d rows into %s.%s (attempt %d): %w", len(rows), w.db, table, attempt+1, err)
		}
		w.logger.WarnContext(ctx, "insert failed, retrying", "into", table, "rows", len(rows), "attempt", attempt+1, "backoff", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("insert %d rows into %s.%s: %w (after: %w)", len(rows), w.db, table, ctx.Err(), err)
		case <-t.C:
		}
		backoff *= 2
	}
}

// insert sends rows as one fresh batch of query.
func (w *Writer) insert(ctx context.Context, query string, rows [][]any) error {
	if w.features.AsyncInsertSetting {
		ctx = ch.Context(ctx, ch.WithSettings(ch.Settings{"async_insert": 0}))
	}
	batch, err := w.conn.PrepareBatch(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare batch: %w", err)
	}
	defer batch.Close() // releases the connection when Send is not reached
	for _, row := range rows {
		if err := batch.Append(row...); err != nil {
			return fmt.Errorf("append row: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send batch: %w", err)
	}
	return nil
}
