package clickhouse

import (
	"testing"
	"time"
)

// BenchmarkRowValues measures the per-click mapping Write adds.
func BenchmarkRowValues(b *testing.B) {
	c := fullClick(1, time.Now())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rowValues(c); err != nil {
			b.Fatal(err)
		}
	}
}
