package clickhouse

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// Writer inserts enriched clicks into ClickHouse. It is safe for concurrent
// use; each Write is one INSERT on a pooled connection.
type Writer struct {
	conn      driver.Conn
	cfg       Config
	db        string
	version   driver.ServerVersion
	features  chschema.Features
	insertSQL string
	// conversions is the attributed conversions table and convSQL its
	// INSERT (see WriteConversions).
	conversions, convSQL string
	logger               *slog.Logger
	// passes numbers CompactRollups passes (the low bits of their version).
	passes atomic.Uint64
}

// Open connects to the server named by cfg.DSN over the native protocol
// with LZ4 compression, pings it and reads its version, from which it
// derives the schema features (Features). It does not create the schema:
// call Migrate. logger may be nil (discard); normal operation logs nothing,
// retried inserts log at warn level.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Writer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("open clickhouse sink: config: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts, err := ch.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("open clickhouse sink: dsn: %w", err)
	}
	db := databaseOf(opts)
	// The session does not select the DSN's database: Migrate must be able
	// to create it, and every statement names its database anyway.
	opts.Auth.Database = ""
	opts.DialTimeout = cfg.DialTimeout
	opts.Compression = &ch.Compression{Method: ch.CompressionLZ4}
	addr := strings.Join(opts.Addr, ",")
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open clickhouse sink: connect to %s: %w", addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open clickhouse sink: ping %s: %w", addr, err)
	}
	v, err := conn.ServerVersion()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("open clickhouse sink: read server version of %s: %w", addr, err)
	}
	w := &Writer{
		conn:     conn,
		cfg:      cfg,
		db:       db,
		version:  *v,
		features: chschema.FeaturesFor(int(v.Version.Major), int(v.Version.Minor)),
		logger:   logger.With("component", "clickhouse_sink", "table", db+"."+cfg.Table),
	}
	w.insertSQL = insertStatement(w.db, cfg.Table, chschema.Columns)
	w.conversions = chschema.Options{Table: cfg.Table}.ConversionsTable()
	w.convSQL = insertStatement(w.db, w.conversions, chschema.ConversionColumns)
	return w, nil
}

// insertStatement names every column: 18.16 requires it for clickhouse-go
// batches, and it keeps inserts working when columns are added later.
func insertStatement(db, table string, columns []string) string {
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = "`" + c + "`"
	}
	return fmt.Sprintf("INSERT INTO %s.%s (%s)", db, table, strings.Join(cols, ", "))
}

// ServerVersion returns the version the server reported at Open.
func (w *Writer) ServerVersion() driver.ServerVersion { return w.version }

// Features returns the schema features derived from the server version.
func (w *Writer) Features() chschema.Features { return w.features }

// Database returns the database the writer inserts into (from the DSN).
func (w *Writer) Database() string { return w.db }

// Close closes the connection pool. Writes in flight fail.
func (w *Writer) Close() error {
	if err := w.conn.Close(); err != nil {
		return fmt.Errorf("close clickhouse sink: %w", err)
	}
	return nil
}
