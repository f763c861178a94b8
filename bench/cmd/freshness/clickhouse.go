package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// rowWatcher polls ClickHouse for the clicks of the run's links and
// records when each event id was first seen. A row is stamped with the
// time the poll that returned it ended, so latencies are overstated by at
// most one poll interval plus one query.
type rowWatcher struct {
	conn  driver.Conn
	db    string
	query string

	mu      sync.Mutex
	visible map[string]time.Time
	polls   int
	queryNs time.Duration
	lastErr error
}

func openRowWatcher(ctx context.Context, dsn string, links []link) (*rowWatcher, error) {
	opts, err := ch.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("clickhouse dsn: %w", err)
	}
	db := opts.Auth.Database
	if db == "" {
		db = "default"
	}
	if strings.Trim(db, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return nil, fmt.Errorf("clickhouse dsn: database %q: want letters, digits and _", db)
	}
	opts.Auth.Database = "" // the node creates it; name it in the query
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to clickhouse: %w", err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ping clickhouse: %w", err)
	}
	ids := make([]string, len(links))
	for i, l := range links {
		if strings.ContainsAny(l.ID, `'\`) {
			conn.Close()
			return nil, fmt.Errorf("link id %q cannot be quoted", l.ID)
		}
		ids[i] = "'" + l.ID + "'"
	}
	q := fmt.Sprintf("SELECT toString(event_id) FROM %s.clicks WHERE link_id IN (%s)", db, strings.Join(ids, ","))
	return &rowWatcher{conn: conn, db: db, query: q, visible: map[string]time.Time{}}, nil
}

// run polls every interval until ctx ends.
func (w *rowWatcher) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		w.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *rowWatcher) poll(ctx context.Context) {
	start := time.Now()
	rows, err := w.conn.Query(ctx, w.query)
	var ids []string
	if err == nil {
		for rows.Next() {
			var id string
			if err = rows.Scan(&id); err != nil {
				break
			}
			ids = append(ids, id)
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	end := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.polls++
	w.queryNs += end.Sub(start)
	if err != nil {
		w.lastErr = err // the table does not exist until the first insert
		return
	}
	for _, id := range ids {
		if _, ok := w.visible[id]; !ok {
			w.visible[id] = end
		}
	}
}

func (w *rowWatcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.visible)
}

func (w *rowWatcher) snapshot() (map[string]time.Time, int, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := make(map[string]time.Time, len(w.visible))
	for k, v := range w.visible {
		m[k] = v
	}
	mean := time.Duration(0)
	if w.polls > 0 {
		mean = w.queryNs / time.Duration(w.polls)
	}
	return m, w.polls, mean
}

// close drops the database when asked (a database made for this run).
func (w *rowWatcher) close(ctx context.Context, drop bool) error {
	defer w.conn.Close()
	if drop {
		if err := w.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+w.db); err != nil {
			return fmt.Errorf("drop database %s: %w", w.db, err)
		}
	}
	return nil
}
