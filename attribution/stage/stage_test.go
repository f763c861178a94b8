package stage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/attribution"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/ingest/record/recordtest"
	"github.com/clicktrail/clicktrail/schemas"
)

func newAttributionFixture(t *testing.T) (*Stage, *recordtest.Producer) {
	t.Helper()
	attr, err := attribution.Open(attribution.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { attr.Close() })
	out := &recordtest.Producer{}
	s, err := New(Config{Attributor: attr, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	return s, out
}

func conversionRecord(t *testing.T, c *schemas.Conversion, offset int64) record.Record {
	t.Helper()
	v, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return record.Record{Topic: schemas.TopicConversions, Offset: offset, Value: v}
}

func enrichedRecord(t *testing.T, c *schemas.EnrichedClick) record.Record {
	t.Helper()
	v, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return record.Record{Topic: schemas.TopicClicksEnriched, Value: v}
}

// TestAttributionOvertakenClick: a conversion that arrives before its
// click is sent once the click is indexed, once, as a link event the
// webhook stage accepts; a bad conversion is dead-lettered without
// blocking the good one behind it.
func TestAttributionOvertakenClick(t *testing.T) {
	s, out := newAttributionFixture(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clickID := "0193a6f2-7c1e-7b3a-9f00-000000000001"
	conv := &schemas.Conversion{V: 1, EventID: "0193a6f2-7c1e-7b3a-9f00-0000000000c1", WorkspaceID: "default",
		Name: "purchase", ClickID: clickID, OccurredAt: now, ReceivedAt: now, Amount: 1200, Currency: "USD"}
	bad := record.Record{Topic: schemas.TopicConversions, Offset: 7, Value: []byte(`{"v":1,"name":"x"}`)}
	if err := s.Conversions()(context.Background(), []record.Record{bad, conversionRecord(t, conv, 8)}); err != nil {
		t.Fatal(err)
	}
	if len(out.Recs) != 1 || out.Recs[0].Topic != schemas.DeadLetterTopic(schemas.TopicConversions) {
		t.Fatalf("after the conversions: %d records %+v, want the bad one dead-lettered only", len(out.Recs), out.Recs)
	}
	out.Recs = nil

	click := &schemas.EnrichedClick{V: 1, EventID: clickID, Type: schemas.ClickTypeClick, Time: now.Add(-time.Minute),
		WorkspaceID: "default", LinkID: "lnk_1", Domain: "go.brand.com", Path: "sale", Destination: "https://shop.example/",
		DeviceType: "mobile", Tags: []string{"q4"}}
	clicks := []record.Record{enrichedRecord(t, click), {Topic: schemas.TopicClicksEnriched, Offset: 3, Value: []byte("nope")}}
	if err := s.Clicks()(context.Background(), clicks); err != nil {
		t.Fatal(err)
	}
	if len(out.Recs) != 1 {
		t.Fatalf("after the click: %d records, want the waiting conversion's event", len(out.Recs))
	}
	e, err := schemas.DecodeLinkEvent(out.Recs[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != conv.EventID || e.Type != schemas.EventConversionAttributed || string(out.Recs[0].Key) != "lnk_1" {
		t.Fatalf("event %+v key %s", e, out.Recs[0].Key)
	}
	// Resolved: the redelivered click sends nothing more.
	out.Recs = nil
	if err := s.Clicks()(context.Background(), clicks[:1]); err != nil {
		t.Fatal(err)
	}
	if len(out.Recs) != 0 {
		t.Fatalf("a redelivered click sent %d records again", len(out.Recs))
	}
}

// TestAttributionKeepsParkedWhenSendFails: if the event cannot be sent,
// the handler fails (the batch is not committed) and the conversion stays
// parked for the redelivery.
func TestAttributionKeepsParkedWhenSendFails(t *testing.T) {
	s, out := newAttributionFixture(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clickID := "0193a6f2-7c1e-7b3a-9f00-000000000002"
	conv := &schemas.Conversion{V: 1, EventID: "0193a6f2-7c1e-7b3a-9f00-0000000000c2", WorkspaceID: "default",
		Name: "lead", ClickID: clickID, OccurredAt: now, ReceivedAt: now}
	if err := s.Conversions()(context.Background(), []record.Record{conversionRecord(t, conv, 1)}); err != nil {
		t.Fatal(err)
	}
	click := enrichedRecord(t, &schemas.EnrichedClick{V: 1, EventID: clickID, Type: schemas.ClickTypeClick, Time: now,
		LinkID: "lnk_2", Domain: "go.brand.com", Path: "x", DeviceType: "desktop"})
	out.Fail = errors.New("broker away")
	if err := s.Clicks()(context.Background(), []record.Record{click}); err == nil {
		t.Fatal("the handler succeeded without sending")
	}
	out.Fail = nil
	if err := s.Clicks()(context.Background(), []record.Record{click}); err != nil {
		t.Fatal(err)
	}
	if len(out.Recs) != 1 {
		t.Fatalf("the redelivery sent %d records, want the conversion's event", len(out.Recs))
	}
}
