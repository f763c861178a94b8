package ingest

import (
	"bytes"
	"testing"
)

// clickValue is about the size of a marshalled RawClick.
var clickValue = bytes.Repeat([]byte("x"), 450)

// BenchmarkSpoolAppend measures the redirect hot path: parallel appends in
// interval mode (durable within FlushInterval).
func BenchmarkSpoolAppend(b *testing.B) {
	benchmarkAppend(b, SpoolOptions{SyncMode: SyncInterval})
}

// BenchmarkSpoolAppendSync measures parallel appends that each wait for the
// fsync; concurrent appends share one (group commit).
func BenchmarkSpoolAppendSync(b *testing.B) {
	// A redirector has many requests in flight; so does this benchmark.
	b.SetParallelism(16)
	benchmarkAppend(b, SpoolOptions{SyncMode: SyncAlways})
}

func benchmarkAppend(b *testing.B, opts SpoolOptions) {
	opts.MaxBytes = 1 << 40 // measure appends, not ErrSpoolFull
	s := openSpool(b, b.TempDir(), opts)
	defer s.Close()
	key := []byte("01JD8R7W9QXK3M")
	b.SetBytes(int64(len(key) + len(clickValue)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Append("clicks.raw.v1", key, clickValue); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
