package stage_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot/hubspotfake"
)

// BenchmarkClicksToHubSpot measures events per second from the clicks
// handler to a local fake HubSpot, in batches of 100 clicks of one
// integration (one contact update-free custom event batch call each, plus
// the ledger's synced write), and the process CPU per event (user+system,
// the fake's included: it runs in the same process).
//
//	go test -run '^$' -bench ClicksToHubSpot -benchtime 200x ./sinks/crm/stage/
func BenchmarkClicksToHubSpot(b *testing.B) {
	f := newFixture(b, 10*time.Second)
	hs := hubspotfake.New("tok", evName)
	defer hs.Close()
	c := hs.AddContact(nil)
	f.hubspot(b, "ws_a", hs)
	const perBatch = 100
	batches := make([][]record.Record, b.N)
	for i := range batches {
		for range perBatch {
			batches[i] = append(batches[i], clickRecord(b, "ws_a", c))
		}
	}
	h := f.st.Clicks()
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := h(context.Background(), batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	cpu := time.Duration(r1.Utime.Nano()+r1.Stime.Nano()-r0.Utime.Nano()-r0.Stime.Nano()) * time.Nanosecond
	events := float64(b.N * perBatch)
	b.ReportMetric(events/el.Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Microseconds())/events, "cpu-µs/event")
	if n := len(hs.Occurrences()); n != b.N*perBatch {
		b.Fatalf("%d occurrences, want %d", n, b.N*perBatch)
	}
}
