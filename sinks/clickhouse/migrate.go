package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// MigrateOptions are the schema choices Migrate applies. Table is taken from
// Config and must not be set here.
type MigrateOptions struct {
	// RawRetentionDays: see schemas/clickhouse.Options.RawRetentionDays.
	RawRetentionDays int
	// OnApplied, when set, is told each migration this run applied (and
	// recorded), in order; nil: only the log says.
	OnApplied func(version uint32, name string)
}

// Migrate creates the database if it is missing, then the schema_migrations
// table, then applies every migration of schemas/clickhouse not recorded
// there yet, recording each after its statements succeeded. It is
// idempotent: running it again applies nothing. Every statement is itself
// idempotent (IF NOT EXISTS), so a run interrupted between a migration and
// its record is repaired by the next run (on servers without ADD COLUMN IF
// NOT EXISTS, "column already exists" counts as that step applied). Concurrent Migrate calls are safe
// for the same reason; schema_migrations collapses duplicate records.
//
// The DDL is rendered for the server's Features; retention set here is
// ignored by servers without TTL (see schemas/clickhouse.Options).
func (w *Writer) Migrate(ctx context.Context, opts MigrateOptions) error {
	migrations, err := chschema.Migrations(w.db, w.features, chschema.Options{Table: w.cfg.Table, RawRetentionDays: opts.RawRetentionDays})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	bookkeeping, err := chschema.MigrationsTableStatement(w.db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := w.conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+w.db); err != nil {
		return fmt.Errorf("migrate: create database %s: %w", w.db, err)
	}
	if err := w.conn.Exec(ctx, bookkeeping); err != nil {
		return fmt.Errorf("migrate: create %s.%s: %w", w.db, chschema.MigrationsTable, err)
	}
	applied, err := w.AppliedVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range migrations {
		if applied[m.Version] {
			continue
		}
		for _, stmt := range m.Statements {
			if err := w.conn.Exec(ctx, stmt); err != nil && !columnExists(stmt, err) {
				return fmt.Errorf("migrate: apply version %d (%s): %w", m.Version, m.Name, err)
			}
		}
		if err := w.recordVersion(ctx, m.Version); err != nil {
			return fmt.Errorf("migrate: record version %d: %w", m.Version, err)
		}
		w.logger.InfoContext(ctx, "applied schema migration", "version", m.Version, "name", m.Name)
		if opts.OnApplied != nil {
			opts.OnApplied(m.Version, m.Name)
		}
	}
	return nil
}

// recordVersion inserts one schema_migrations row. It uses a batch, not
// Exec of INSERT ... VALUES: 18.16 waits for a data block after an INSERT
// sent as a plain query, and the call hangs.
func (w *Writer) recordVersion(ctx context.Context, version uint32) error {
	batch, err := w.conn.PrepareBatch(ctx, fmt.Sprintf("INSERT INTO %s.%s (version)", w.db, chschema.MigrationsTable))
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	defer batch.Close()
	if err := batch.Append(version); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// AppliedVersions returns the schema versions recorded in schema_migrations.
func (w *Writer) AppliedVersions(ctx context.Context) (map[uint32]bool, error) {
	rows, err := w.conn.Query(ctx, fmt.Sprintf("SELECT DISTINCT version FROM %s.%s", w.db, chschema.MigrationsTable))
	if err != nil {
		return nil, fmt.Errorf("read applied versions: %w", err)
	}
	defer rows.Close()
	applied := map[uint32]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read applied versions: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read applied versions: %w", err)
	}
	return applied, nil
}

// codeColumnExists is ClickHouse's ILLEGAL_COLUMN, which an ADD COLUMN of
// an existing column answers.
const codeColumnExists = 44

// columnExists reports whether err is an ADD COLUMN statement finding its
// column already there: a migration step applied before its version was
// recorded (servers without ADD COLUMN IF NOT EXISTS).
func columnExists(stmt string, err error) bool {
	ex, ok := errors.AsType[*proto.Exception](err)
	return ok && ex.Code == codeColumnExists && strings.Contains(stmt, " ADD COLUMN ")
}
