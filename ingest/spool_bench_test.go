package ingest

import (
	"bytes"
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
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

// BenchmarkSpoolConsume measures the read path of a consumer that keeps up
// with the appenders (the embedded pipeline's case): b.N records appended
// in bursts of 64 while one group consumes them in batches.
func BenchmarkSpoolConsume(b *testing.B) {
	s := openSpool(b, b.TempDir(), SpoolOptions{MaxBytes: 1 << 40})
	defer s.Close()
	key := []byte("01JD8R7W9QXK3M")
	var got atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.Consumer("g", "clicks.raw.v1", BatchOptions{MaxRecords: 256, MaxWait: time.Millisecond}).Run(ctx, func(_ context.Context, batch []Record) error {
			got.Add(int64(len(batch)))
			return nil
		})
	}()
	b.SetBytes(int64(len(key) + len(clickValue)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Append("clicks.raw.v1", key, clickValue); err != nil {
			b.Fatal(err)
		}
		if i%64 == 63 { // let the consumer keep up, as it does in production
			for got.Load() < int64(i+1)-256 {
				runtime.Gosched()
			}
		}
	}
	for got.Load() < int64(b.N) {
		runtime.Gosched()
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
