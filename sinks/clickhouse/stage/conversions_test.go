package stage

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/attribution"
	attrstage "github.com/clicktrail/clicktrail/attribution/stage"
	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/ingest/record/recordtest"
	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/clickhouse"
)

// sliceConversions keeps what it is asked to write; it rejects rows whose
// name is "reject" as a real writer rejects rows it can never insert.
type sliceConversions struct{ rows []clickhouse.Conversion }

func (s *sliceConversions) WriteConversions(_ context.Context, convs []clickhouse.Conversion) error {
	rej := &clickhouse.RejectedError{}
	for i, c := range convs {
		if c.Name == "reject" {
			rej.Rejected = append(rej.Rejected, clickhouse.Rejection{Index: i, Err: errors.New("field name: refused")})
			continue
		}
		s.rows = append(s.rows, c)
	}
	if len(rej.Rejected) > 0 {
		return rej
	}
	return nil
}

// TestConversionsSinkStoresAttributedEvents: the attribution stage's
// event becomes one row with the click's facts; other events pass; a bad
// or rejected conversion is dead-lettered, the rest stored.
func TestConversionsSinkStoresAttributedEvents(t *testing.T) {
	attr, err := attribution.Open(attribution.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { attr.Close() })
	out := &recordtest.Producer{}
	s, err := attrstage.New(attrstage.Config{Attributor: attr, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	click := &schemas.EnrichedClick{V: 1, EventID: "0193a6f2-7c1e-7b3a-9f00-000000000031", Type: schemas.ClickTypeQRScan,
		Time: now.Add(-time.Minute), WorkspaceID: "ws_1", LinkID: "lnk_9", Domain: "go.brand.com", Path: "bf",
		Country: "GB", DeviceType: "mobile", UTM: schemas.UTM{Campaign: "bf"}, VisitorHash: 1 << 63}
	if err := s.Clicks()(context.Background(), []record.Record{mustRecord(t, schemas.TopicClicksEnriched, 0, click.Marshal)}); err != nil {
		t.Fatal(err)
	}
	conv := func(id, name string) *schemas.Conversion {
		return &schemas.Conversion{V: 1, EventID: id, WorkspaceID: "ws_1", Name: name, ClickID: click.EventID,
			OccurredAt: now, ReceivedAt: now, Amount: 1500, Currency: "GBP"}
	}
	recs := []record.Record{
		mustRecord(t, schemas.TopicConversions, 1, conv("0193a6f2-7c1e-7b3a-9f00-0000000000d1", "purchase").Marshal),
		mustRecord(t, schemas.TopicConversions, 2, conv("0193a6f2-7c1e-7b3a-9f00-0000000000d2", "reject").Marshal),
	}
	if err := s.Conversions()(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	events := out.Recs // the two conversion.attributed events
	linkCreated := record.Record{Topic: schemas.TopicLinkEvents, Value: []byte(`{"v":1,"id":"0193a6f2-7c1e-7b3a-9f00-0000000000e1",` +
		`"type":"link.created","timestamp":"2026-11-23T12:00:00Z","workspace_id":"ws_1","data":{"id":"lnk_9"}}`)}
	badData, _ := json.Marshal(schemas.LinkEvent{V: 1, ID: "0193a6f2-7c1e-7b3a-9f00-0000000000e2", Type: schemas.EventConversionAttributed,
		Time: now, WorkspaceID: "ws_1", Data: json.RawMessage(`{"link_id":"lnk_9","click":{"visitor_hash":"x"}}`)})
	batch := append(events, linkCreated, record.Record{Topic: schemas.TopicLinkEvents, Offset: 9, Value: badData})

	w, dlq := &sliceConversions{}, &recordtest.Producer{}
	if err := Conversions(w, dlq, nil)(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if len(w.rows) != 1 {
		t.Fatalf("stored %d rows, want the purchase", len(w.rows))
	}
	r := w.rows[0]
	if r.EventID != "0193a6f2-7c1e-7b3a-9f00-0000000000d1" || r.LinkID != "lnk_9" || r.ClickID != click.EventID ||
		r.ClickType != schemas.ClickTypeQRScan || r.Country != "GB" || r.UTM.Campaign != "bf" || r.VisitorHash != 1<<63 ||
		r.MatchedBy != schemas.MatchedByClickID || r.Amount != 1500 || !r.ClickedAt.Equal(click.Time) {
		t.Fatalf("row %+v", r)
	}
	if len(dlq.Recs) != 2 {
		t.Fatalf("dead-lettered %d, want the rejected and the undecodable", len(dlq.Recs))
	}
}

// mustRecord is the record of what marshal encodes, on topic at offset.
func mustRecord(t *testing.T, topic string, offset int64, marshal func() ([]byte, error)) record.Record {
	t.Helper()
	v, err := marshal()
	if err != nil {
		t.Fatal(err)
	}
	return record.Record{Topic: topic, Offset: offset, Value: v}
}
