package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one value", []time.Duration{7}, 50, 7},
		{"median of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p90 of 1..100", hundred, 90, 90 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p99 of 3 is the max", []time.Duration{1, 2, 3}, 99, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.sorted, tc.p); got != tc.want {
				t.Fatalf("percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestLatencies(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sent := map[string]time.Time{"a": t0, "b": t0, "c": t0}
	arrived := map[string]time.Time{"a": t0.Add(300 * time.Millisecond), "c": t0.Add(100 * time.Millisecond), "zz": t0}
	ds, missing := latencies(sent, arrived)
	if missing != 1 || len(ds) != 2 || ds[0] != 100*time.Millisecond || ds[1] != 300*time.Millisecond {
		t.Fatalf("latencies = %v, missing %d; want [100ms 300ms], 1", ds, missing)
	}
}
