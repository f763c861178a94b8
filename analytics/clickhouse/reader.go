package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/clicktrail/clicktrail/analytics"
	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// Config locates the rollups.
type Config struct {
	// DSN is the sink's: clickhouse://host:9000/database (native protocol).
	DSN string
	// Table is the raw click table the rollups are named after; "" means
	// clicks.
	Table string
}

// Validate names the bad key.
func (c Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.DSN); c.DSN == "" || err != nil || (u.Scheme != "clickhouse" && u.Scheme != "tcp") {
		errs = append(errs, errors.New("dsn: want clickhouse://host:9000/database"))
	}
	if err := (chschema.Options{Table: c.Table}).Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Reader reads the rollups. It is safe for concurrent use.
type Reader struct {
	conn    driver.Conn
	db      string
	rollups chschema.Rollups
}

var _ analytics.Reader = (*Reader)(nil)

// Open connects and pings.
func Open(ctx context.Context, cfg Config) (*Reader, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("open stats reader: %w", err)
	}
	opts, err := ch.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("open stats reader: dsn: %w", err)
	}
	db := opts.Auth.Database
	if db == "" {
		db = "default"
	}
	if err := chschema.ValidateIdentifier(db); err != nil {
		return nil, fmt.Errorf("open stats reader: database: %w", err)
	}
	// Every statement names the database: the session selects none, so
	// the reader opens before the sink's Migrate has created it.
	opts.Auth.Database = ""
	opts.Compression = &ch.Compression{Method: ch.CompressionLZ4}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("open stats reader: %w", err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open stats reader: ping: %w", err)
	}
	return &Reader{conn: conn, db: db, rollups: chschema.Options{Table: cfg.Table}.Rollups()}, nil
}

// Close closes the connections.
func (r *Reader) Close() error { return r.conn.Close() }

// Clicks counts distinct clicks and their unique visitors.
func (r *Reader) Clicks(ctx context.Context, q analytics.Query) ([]analytics.Count, error) {
	sql, args := r.statement(q, false)
	rows, err := r.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("query clicks: %w", err)
	}
	defer rows.Close()
	var out []analytics.Count
	for rows.Next() {
		var c analytics.Count
		if err := rows.Scan(&c.Key, &c.N, &c.Visitors); err != nil {
			return nil, fmt.Errorf("query clicks: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query clicks: %w", err)
	}
	return out, nil
}

// Conversions counts distinct conversions and their revenue per currency.
func (r *Reader) Conversions(ctx context.Context, q analytics.Query) ([]analytics.Count, error) {
	sql, args := r.statement(q, true)
	rows, err := r.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("query conversions: %w", err)
	}
	defer rows.Close()
	var out []analytics.Count
	idx := map[string]int{}
	for rows.Next() {
		var (
			key, currency string
			n             uint64
			amount        int64
		)
		if err := rows.Scan(&key, &currency, &n, &amount); err != nil {
			return nil, fmt.Errorf("query conversions: %w", err)
		}
		i, ok := idx[key]
		if !ok {
			i, idx[key] = len(out), len(out)
			out = append(out, analytics.Count{Key: key})
		}
		// An event has one currency: the currencies' counts add up.
		out[i].N += n
		out[i].Revenue = append(out[i].Revenue, analytics.Money{Currency: currency, Amount: amount})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query conversions: %w", err)
	}
	return out, nil
}

// statement renders q against the right rollup. Values are bound; the
// zone name (checked by analytics against a strict pattern) and the table
// names are the only text in the SQL.
func (r *Reader) statement(q analytics.Query, conversions bool) (string, []any) {
	hourly := q.Interval == analytics.Hour || q.Zone.String() != "UTC"
	table, bucket := r.rollups.ClicksDaily, "day"
	if conversions {
		table = r.rollups.ConversionsDaily
	}
	if hourly {
		table, bucket = r.rollups.ClicksHourly, "hour"
		if conversions {
			table = r.rollups.ConversionsHourly
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s AS k", keyExpr(q, bucket))
	if conversions {
		b.WriteString(", toString(currency) AS cur, uniqExactMerge(conversions) AS n, arraySum(arrayMap(x -> x.2, groupUniqArrayMerge(revenue))) AS amount")
	} else {
		b.WriteString(", uniqExactMerge(clicks) AS n, uniqExactMerge(visitors) AS v")
	}
	fmt.Fprintf(&b, " FROM %s.%s WHERE workspace_id = ? AND dim = ?", r.db, table)
	args := []any{q.Workspace, q.Dim}
	if q.LinkID != "" {
		b.WriteString(" AND link_id = ?")
		args = append(args, q.LinkID)
	}
	if hourly {
		b.WriteString(" AND hour >= toDateTime(?, 'UTC') AND hour < toDateTime(?, 'UTC')")
		args = append(args, q.From.UTC().Format(time.DateTime), q.To.UTC().Format(time.DateTime))
	} else {
		b.WriteString(" AND day >= toDate(?) AND day < toDate(?)")
		args = append(args, q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly))
	}
	switch q.Bots {
	case analytics.BotsExclude:
		b.WriteString(" AND bot = 0")
	case analytics.BotsOnly:
		b.WriteString(" AND bot = 1")
	}
	if !conversions {
		b.WriteString(" AND internal = 0")
	}
	b.WriteString(" GROUP BY k")
	if conversions {
		b.WriteString(", cur ORDER BY k, cur")
	} else if q.Limit > 0 {
		fmt.Fprintf(&b, " ORDER BY n DESC, k LIMIT %d", q.Limit)
	} else {
		b.WriteString(" ORDER BY k")
	}
	return b.String(), args
}

// keyExpr is the SQL of q's key as a String (see analytics.Key).
func keyExpr(q analytics.Query, bucket string) string {
	switch q.Key {
	case analytics.KeyValue:
		return "value"
	case analytics.KeyLink:
		return "link_id"
	case analytics.KeyBucket:
	default:
		return "''"
	}
	if bucket == "day" { // UTC days
		switch q.Interval {
		case analytics.Week:
			return "toString(toMonday(day))"
		case analytics.Month:
			return "toString(toStartOfMonth(day))"
		}
		return "toString(day)"
	}
	tz := "'" + q.Zone.String() + "'"
	switch q.Interval {
	case analytics.Hour:
		return "toString(toUInt32(hour))"
	case analytics.Week:
		return "toString(toMonday(hour, " + tz + "))"
	case analytics.Month:
		return "toString(toStartOfMonth(hour, " + tz + "))"
	}
	return "toString(toDate(hour, " + tz + "))"
}

// Exec runs a statement on the reader's connection (the bench re-creates
// its database with it).
func (r *Reader) Exec(ctx context.Context, stmt string) error { return r.conn.Exec(ctx, stmt) }
