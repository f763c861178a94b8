package clickhouse

import (
	"context"
	"testing"
	"time"

	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// BenchmarkWrite10k measures Write of 10,000 clicks (row mapping and
// validation, one INSERT) against the test server. Compare with
// BenchmarkPlainBatch10k for the sink's overhead over bare clickhouse-go.
func BenchmarkWrite10k(b *testing.B) {
	w := openTestWriter(b)
	clicks := testClicks(10_000, time.Now().UTC())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := w.Write(ctx, clicks); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(clicks))/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPlainBatch10k is the baseline: a bare clickhouse-go batch insert
// of the same 10,000 rows, already mapped to column values, into the same
// table on the same connection pool.
func BenchmarkPlainBatch10k(b *testing.B) {
	w := openTestWriter(b)
	clicks := testClicks(10_000, time.Now().UTC())
	rows := make([][]any, len(clicks))
	for i, c := range clicks {
		row, err := rowValues(c)
		if err != nil {
			b.Fatal(err)
		}
		rows[i] = row
	}
	query := insertStatement(w.db, chschema.DefaultTable, chschema.Columns)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		batch, err := w.conn.PrepareBatch(ctx, query)
		if err != nil {
			b.Fatal(err)
		}
		for _, row := range rows {
			if err := batch.Append(row...); err != nil {
				b.Fatal(err)
			}
		}
		if err := batch.Send(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}
