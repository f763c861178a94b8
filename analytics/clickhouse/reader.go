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

// statement renders q over the rollup and, for the hours from the
// compaction's watermark on, the raw table (see live). Values are bound;
// the zone name (checked by analytics against a strict pattern), the table
// and column names are the only text in the SQL.
func (r *Reader) statement(q analytics.Query, conversions bool) (string, []any) {
	table, raw, dims := r.rollups.ClicksHourly, r.rollups.Clicks, chschema.ClickDimensions
	if conversions {
		table, raw, dims = r.rollups.ConversionsHourly, r.rollups.Conversions, chschema.ConversionDimensions
	}
	from, to := q.From.UTC().Format(time.DateTime), q.To.UTC().Format(time.DateTime)
	cutoff := fmt.Sprintf("(SELECT toStartOfHour(max(until)) FROM %s.%s WHERE name = 'rollups')", r.db, r.rollups.Watermark)
	var b strings.Builder
	var args []any
	// The compacted hours: the rollup as of its latest version.
	b.WriteString("SELECT hour, value, link_id")
	if conversions {
		b.WriteString(", toString(currency) AS cur, conversions AS c, revenue AS a")
	} else {
		b.WriteString(", clicks AS c, visitors AS v")
	}
	fmt.Fprintf(&b, " FROM %s.%s FINAL WHERE workspace_id = ? AND dim = ?", r.db, table)
	args = append(args, q.Workspace, q.Dim)
	if q.LinkID != "" {
		b.WriteString(" AND link_id = ?")
		args = append(args, q.LinkID)
	}
	b.WriteString(" AND hour >= toDateTime(?, 'UTC') AND hour < toDateTime(?, 'UTC') AND hour < " + cutoff)
	args = append(args, from, to)
	b.WriteString(filters(q, conversions))
	// The hours after the watermark, live from the raw table.
	tsColumn := "ts"
	if conversions {
		tsColumn = "occurred_at"
	}
	value, ok := valueExpr(q.Dim, dims)
	fmt.Fprintf(&b, " UNION ALL SELECT toStartOfHour(%s) AS hour, %s AS value, link_id", tsColumn, value)
	if conversions {
		b.WriteString(", toString(currency) AS cur, uniqExact(event_id) AS c, arraySum(arrayMap(x -> x.2, groupUniqArray((event_id, amount)))) AS a")
	} else {
		b.WriteString(", uniqExact(event_id) AS c, uniqExactState(visitor_hash) AS v")
	}
	fmt.Fprintf(&b, " FROM %s.%s WHERE workspace_id = ?", r.db, raw)
	args = append(args, q.Workspace)
	if q.LinkID != "" {
		b.WriteString(" AND link_id = ?")
		args = append(args, q.LinkID)
	}
	fmt.Fprintf(&b, " AND %[1]s >= toDateTime(?, 'UTC') AND %[1]s < toDateTime(?, 'UTC') AND %[1]s >= %[2]s", tsColumn, cutoff)
	args = append(args, from, to)
	if !ok {
		b.WriteString(" AND 0")
	}
	b.WriteString(filters(q, conversions))
	b.WriteString(" GROUP BY hour, value, link_id")
	if conversions {
		b.WriteString(", cur")
	}
	inner := b.String()

	b.Reset()
	fmt.Fprintf(&b, "SELECT %s AS k", keyExpr(q))
	if conversions {
		b.WriteString(", cur, sum(c) AS n, sum(a) AS amount")
	} else {
		b.WriteString(", sum(c) AS n, uniqExactMerge(v) AS vis")
	}
	b.WriteString(" FROM (" + inner + ") GROUP BY k")
	if conversions {
		b.WriteString(", cur HAVING n > 0 ORDER BY k, cur")
	} else if q.Limit > 0 {
		fmt.Fprintf(&b, " HAVING n > 0 ORDER BY n DESC, k LIMIT %d", q.Limit)
	} else {
		b.WriteString(" HAVING n > 0 ORDER BY k")
	}
	return b.String(), args
}

// filters renders q's bot filter; internal clicks never count.
func filters(q analytics.Query, conversions bool) string {
	var out string
	switch q.Bots {
	case analytics.BotsExclude:
		out = " AND bot = 0"
	case analytics.BotsOnly:
		out = " AND bot = 1"
	}
	if !conversions {
		out += " AND internal = 0"
	}
	return out
}

// valueExpr is the raw table's SQL of dimension dim's value (the rollup's
// value column); false when dims has no such dimension.
func valueExpr(dim string, dims []chschema.Dimension) (string, bool) {
	if dim == "" {
		return "''", true
	}
	for _, d := range dims {
		if d.Name == dim {
			return "toString(" + d.Column + ")", true
		}
	}
	return "''", false
}

// keyExpr is the SQL of q's key as a String (see analytics.Key), from the
// UTC hour: days, weeks and months are the zone's.
func keyExpr(q analytics.Query) string {
	switch q.Key {
	case analytics.KeyValue:
		return "value"
	case analytics.KeyLink:
		return "link_id"
	case analytics.KeyBucket:
	default:
		return "''"
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
