package stage_test

import (
	"context"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/sinks/crm/hubspot/hubspotfake"
)

// TestHangingCRMDoesNotDelayAnother: workspace A's CRM accepts calls and
// never answers; 300 of its contacts' clicks arrive in 60 batches, each
// with one click for workspace B's healthy CRM. Every batch delivers B's
// click before the handler returns; A never holds more than its lane's
// concurrency in calls; A's events are parked, none lost. B's latency
// (the handler's time) is logged, not bounded: the first batch waits one
// attempt budget for A, the later ones do not wait for A at all.
func TestHangingCRMDoesNotDelayAnother(t *testing.T) {
	f := newFixture(t, 100*time.Millisecond)
	hanging, healthy := hubspotfake.New("tok", evName), hubspotfake.New("tok", evName)
	defer healthy.Close()
	ca, cb := hanging.AddContact(nil), healthy.AddContact(nil)
	f.hubspot(t, "ws_a", hanging)
	f.hubspot(t, "ws_b", healthy)
	hanging.Hang()
	defer func() { hanging.Release(); hanging.Close() }()

	const batches, perBatch = 60, 5
	var lat []time.Duration
	for i := range batches {
		var batch []record.Record
		for range perBatch {
			batch = append(batch, clickRecord(t, "ws_a", ca))
		}
		batch = append(batch, clickRecord(t, "ws_b", cb))
		start := time.Now()
		if err := f.st.Clicks()(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if n := len(healthy.Occurrences()); n != i+1 {
			t.Fatalf("batch %d: the healthy CRM holds %d events", i, n)
		}
		if n := hanging.Hanging(); n > 4 {
			t.Fatalf("batch %d: %d calls hang at the slow CRM, more than its lane's concurrency", i, n)
		}
	}
	if n := len(f.out.Records()); n != batches*perBatch {
		t.Errorf("%d parked records, want the hanging CRM's %d events", n, batches*perBatch)
	}
	var rest time.Duration
	for _, d := range lat[1:] {
		rest = max(rest, d)
	}
	t.Logf("healthy integration: first batch %s (one attempt budget for the hanging one), slowest later batch %s", lat[0], rest)
}
