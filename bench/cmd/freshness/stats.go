package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// latencies joins send times with arrival times: the latency of every
// click that arrived, and how many did not.
func latencies(sent, arrived map[string]time.Time) (ds []time.Duration, missing int) {
	for id, s := range sent {
		a, ok := arrived[id]
		if !ok {
			missing++
			continue
		}
		ds = append(ds, a.Sub(s))
	}
	slices.Sort(ds)
	return ds, missing
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted ds, or 0 when ds is empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999999) - 1 // ceil(n*p/100) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func printRow(w io.Writer, name string, sorted []time.Duration) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	if len(sorted) == 0 {
		fmt.Fprintf(w, "%-24s %7d %9s %9s %9s %9s\n", name, 0, "-", "-", "-", "-")
		return
	}
	fmt.Fprintf(w, "%-24s %7d %9s %9s %9s %9s\n", name, len(sorted),
		ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99)), ms(sorted[len(sorted)-1]))
}
