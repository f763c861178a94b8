package clickhouse

import (
	"context"
	"fmt"
	"time"

	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// watermarkName is the one row of the watermark table.
const watermarkName = "rollups"

// maxRecomputeHours bounds the hours one recompute statement covers, so a
// first pass over a large table (or a spool drained after a long outage)
// runs as many moderate statements rather than one that holds every
// event of the table in memory.
const maxRecomputeHours = 24

// Compaction is what one CompactRollups pass did.
type Compaction struct {
	// Since is the watermark the pass started from (zero: the first pass,
	// which computed the rollups from every raw row), Until the one it
	// recorded.
	Since, Until time.Time
	// ClickHours and ConversionHours count the hours recomputed.
	ClickHours, ConversionHours int
}

// CompactRollups runs one pass of the rollup compaction
// (docs/adr/008-exact-rollups.md). It reads the server's clock T and the
// watermark W (every raw row inserted before W is in the rollups), finds
// the hours of event time that received raw rows inserted at or after W
// (late and replayed events included), recomputes each of those hours in
// full from the raw tables with FINAL, so duplicates collapse, and inserts
// the rows with version T (in its high bits) into the ReplacingMergeTree(version) rollups.
// Then it records T minus Config.CompactSettle as the new watermark: rows
// become visible within that time of their inserted_at, so every row
// inserted before it was seen by this pass.
//
// Passes are idempotent and may overlap, also from several processes: a
// pass rewrites whole hours, and the highest version (the latest start)
// wins; anything a pass missed was inserted after its watermark and is
// recomputed by the next one.
func (w *Writer) CompactRollups(ctx context.Context) (Compaction, error) {
	var c Compaction
	var now time.Time
	if err := w.conn.QueryRow(ctx, "SELECT now()").Scan(&now); err != nil {
		return c, fmt.Errorf("compact rollups: read the server clock: %w", err)
	}
	rs := chschema.Options{Table: w.cfg.Table}.Rollups()
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT max(until) FROM %s.%s WHERE name = ?", w.db, rs.Watermark), watermarkName).Scan(&c.Since); err != nil {
		return c, fmt.Errorf("compact rollups: read the watermark: %w", err)
	}
	// Two passes may begin in the same second of the server's clock: the
	// writer's own sequence in the low bits orders its passes.
	version := uint64(now.Unix())<<20 | w.passes.Add(1)&(1<<20-1)
	var err error
	if c.ClickHours, err = w.recompute(ctx, "clicks", rs.Clicks, "ts", c.Since, version); err != nil {
		return c, err
	}
	if c.ConversionHours, err = w.recompute(ctx, "conversions", rs.Conversions, "occurred_at", c.Since, version); err != nil {
		return c, err
	}
	c.Until = now.Add(-w.cfg.CompactSettle).UTC().Truncate(time.Second)
	if !c.Until.After(c.Since) {
		return c, nil
	}
	if err := w.recordWatermark(ctx, rs.Watermark, c.Until); err != nil {
		return c, fmt.Errorf("compact rollups: record the watermark: %w", err)
	}
	return c, nil
}

// recompute recomputes the hours of the kind's rollup that received rows
// inserted since since, and returns how many.
func (w *Writer) recompute(ctx context.Context, kind, table, tsColumn string, since time.Time, version uint64) (int, error) {
	q := fmt.Sprintf("SELECT DISTINCT toStartOfHour(%s) AS h FROM %s.%s WHERE inserted_at >= toDateTime(?, 'UTC') ORDER BY h",
		tsColumn, w.db, table)
	rows, err := w.conn.Query(ctx, q, since.UTC().Format(time.DateTime))
	if err != nil {
		return 0, fmt.Errorf("compact rollups: find the %s hours to recompute: %w", kind, err)
	}
	var hours []time.Time
	for rows.Next() {
		var h time.Time
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return 0, fmt.Errorf("compact rollups: find the %s hours to recompute: %w", kind, err)
		}
		hours = append(hours, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("compact rollups: find the %s hours to recompute: %w", kind, err)
	}
	for _, rc := range hourRanges(hours, maxRecomputeHours) {
		rc.Version = version
		stmts, err := chschema.RecomputeStatements(w.db, w.features, chschema.Options{Table: w.cfg.Table}, kind, rc)
		if err != nil {
			return 0, fmt.Errorf("compact rollups: %w", err)
		}
		for _, s := range stmts {
			if err := w.conn.Exec(ctx, s); err != nil {
				return 0, fmt.Errorf("compact rollups: recompute %s hours [%s, %s): %w", kind, rc.From.Format(time.DateTime), rc.To.Format(time.DateTime), err)
			}
		}
	}
	return len(hours), nil
}

// hourRanges groups sorted, distinct hours into runs of consecutive hours
// of at most max hours each.
func hourRanges(hours []time.Time, max int) []chschema.Recompute {
	var out []chschema.Recompute
	for _, h := range hours {
		if n := len(out); n > 0 && out[n-1].To.Equal(h) && out[n-1].To.Sub(out[n-1].From) < time.Duration(max)*time.Hour {
			out[n-1].To = h.Add(time.Hour)
			continue
		}
		out = append(out, chschema.Recompute{From: h, To: h.Add(time.Hour)})
	}
	return out
}

// recordWatermark inserts the watermark row with a batch (18.16 hangs on
// an INSERT ... VALUES sent with Exec, see recordVersion).
func (w *Writer) recordWatermark(ctx context.Context, table string, until time.Time) error {
	batch, err := w.conn.PrepareBatch(ctx, fmt.Sprintf("INSERT INTO %s.%s (name, until)", w.db, table))
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	defer batch.Close()
	if err := batch.Append(watermarkName, until); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// SetRollupWatermark replaces the compaction's watermark with until: the
// next pass recomputes every hour that received rows inserted since, and
// readers take the hours from until's on from the raw table. An operator
// sets it back to have a range recomputed; the stats API's tests set it
// into their data to read it half from the rollups, half live.
func (w *Writer) SetRollupWatermark(ctx context.Context, until time.Time) error {
	table := chschema.Options{Table: w.cfg.Table}.Rollups().Watermark
	if err := w.conn.Exec(ctx, fmt.Sprintf("TRUNCATE TABLE %s.%s", w.db, table)); err != nil {
		return fmt.Errorf("set rollup watermark: %w", err)
	}
	if err := w.recordWatermark(ctx, table, until.UTC()); err != nil {
		return fmt.Errorf("set rollup watermark: %w", err)
	}
	return nil
}
