// Package jsonfile is the sink of the embedded default when no ClickHouse is
// configured: it appends enriched clicks as JSON lines to one file, so that
// `clicktrail dev` shows every click with nothing else installed
// (`tail -f <data-dir>/clicks.jsonl`). It is a development sink, not an
// analytics store: it does not deduplicate, so a redelivered batch appears
// twice in the file (the event_id tells them apart).
package jsonfile

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/clicktrail/clicktrail/schemas"
)

// Writer appends enriched clicks to a file.
type Writer struct {
	mu sync.Mutex
	f  *os.File
	w  *bufio.Writer
}

// Open opens (creating when missing) the file at path for appending.
func Open(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open click file: %w", err)
	}
	return &Writer{f: f, w: bufio.NewWriter(f)}, nil
}

// Write appends one line per click and returns nil once the lines are synced
// to disk.
func (w *Writer) Write(_ context.Context, clicks []*schemas.EnrichedClick) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range clicks {
		b, err := c.Marshal()
		if err != nil {
			return fmt.Errorf("encode click %s: %w", c.EventID, err)
		}
		w.w.Write(b)
		w.w.WriteByte('\n')
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write click file: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync click file: %w", err)
	}
	return nil
}

// Close closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.w.Flush(); err != nil {
		w.f.Close()
		return err
	}
	return w.f.Close()
}
