package pipeline

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest"
	"github.com/clicktrail/clicktrail/schemas"
)

// sliceProducer keeps what it was asked to produce; fail makes it refuse.
type sliceProducer struct {
	recs []ingest.Record
	fail error
}

func (p *sliceProducer) Produce(_ context.Context, recs []ingest.Record) error {
	if p.fail != nil {
		return p.fail
	}
	p.recs = append(p.recs, recs...)
	return nil
}

// upperEnricher is a deterministic stand-in for enrich.Enricher: this package
// tests routing and dead-lettering, enrich's own tests test enrichment.
type upperEnricher struct{}

func (upperEnricher) Enrich(r *schemas.RawClick) (*schemas.EnrichedClick, error) {
	if r.IP == "bad" {
		return nil, errors.New("field ip: not an address")
	}
	return &schemas.EnrichedClick{V: schemas.EnrichedClickVersion, EventID: r.EventID, Type: r.Type,
		Time: r.Time, LinkID: r.LinkID, DeviceType: "desktop"}, nil
}

type sliceWriter struct {
	rows   []*schemas.EnrichedClick
	fail   error
	reject map[int]error // rows refused for good: a partial write
}

type partialErr map[int]error

func (p partialErr) Error() string               { return "rejected rows" }
func (p partialErr) RejectedRows() map[int]error { return p }

func (w *sliceWriter) Write(_ context.Context, rows []*schemas.EnrichedClick) error {
	if w.fail != nil {
		return w.fail
	}
	w.rows = append(w.rows, rows...)
	if w.reject != nil {
		return partialErr(w.reject)
	}
	return nil
}

func rawRecord(t *testing.T, offset int64, ip string) ingest.Record {
	t.Helper()
	c := &schemas.RawClick{V: 1, EventID: "01936b2e-8c4a-7cde-9f01-23456789ab" + strconv.Itoa(10+int(offset)),
		Type: schemas.ClickTypeClick, Time: time.Unix(1700000000, 0).UTC(), LinkID: "lnk_a", IP: ip}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return ingest.Record{Topic: schemas.TopicClicksRaw, Partition: 3, Offset: offset, Key: []byte("lnk_a"), Value: b}
}

func header(r ingest.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func TestEnrichRoutesGoodAndDeadLettersBad(t *testing.T) {
	out := &sliceProducer{}
	h := Enrich(upperEnricher{}, out, schemas.TopicClicksEnriched, nil)
	batch := []ingest.Record{
		rawRecord(t, 10, "192.0.2.1"),
		{Topic: schemas.TopicClicksRaw, Partition: 3, Offset: 11, Key: []byte("lnk_a"), Value: []byte("{not json")},
		rawRecord(t, 12, "bad"),
		rawRecord(t, 13, "192.0.2.2"),
	}
	if err := h(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if len(out.recs) != 4 {
		t.Fatalf("produced %d records, want 4 (2 enriched, 2 dead letters)", len(out.recs))
	}
	wantTopics := []string{schemas.TopicClicksEnriched, "clicks.raw.v1.dlq", "clicks.raw.v1.dlq", schemas.TopicClicksEnriched}
	for i, r := range out.recs {
		if r.Topic != wantTopics[i] {
			t.Errorf("record %d went to %s, want %s", i, r.Topic, wantTopics[i])
		}
		if string(r.Key) != "lnk_a" {
			t.Errorf("record %d lost its key", i)
		}
	}
	if got := header(out.recs[1], ingest.HeaderDLQOffset); got != "11" {
		t.Errorf("dead letter offset header = %q, want 11", got)
	}
	if got := header(out.recs[2], ingest.HeaderDLQError); got == "" {
		t.Error("dead letter carries no error")
	}
	if _, err := schemas.DecodeEnrichedClick(out.recs[3].Value); err != nil {
		t.Errorf("enriched output does not decode: %v", err)
	}
}

func TestEnrichFailsTheBatchWhenOutputIsNotDurable(t *testing.T) {
	h := Enrich(upperEnricher{}, &sliceProducer{fail: errors.New("broker down")}, schemas.TopicClicksEnriched, nil)
	if err := h(context.Background(), []ingest.Record{rawRecord(t, 1, "192.0.2.1")}); err == nil {
		t.Fatal("handler returned nil although nothing was produced")
	}
}

func TestSinkStage(t *testing.T) {
	good := func(off int64) ingest.Record {
		c, _ := upperEnricher{}.Enrich(mustDecode(t, rawRecord(t, off, "192.0.2.1")))
		b, _ := c.Marshal()
		return ingest.Record{Topic: schemas.TopicClicksEnriched, Offset: off, Value: b}
	}
	bad := ingest.Record{Topic: schemas.TopicClicksEnriched, Offset: 2, Value: []byte(`{"v":9}`)}

	t.Run("writes good rows and dead-letters bad ones", func(t *testing.T) {
		w, dlq := &sliceWriter{}, &sliceProducer{}
		if err := Sink(w, dlq, nil)(context.Background(), []ingest.Record{good(1), bad, good(3)}); err != nil {
			t.Fatal(err)
		}
		if len(w.rows) != 2 || len(dlq.recs) != 1 || dlq.recs[0].Topic != "clicks.enriched.v1.dlq" {
			t.Fatalf("rows=%d dead=%d", len(w.rows), len(dlq.recs))
		}
	})
	t.Run("insert failure fails the batch", func(t *testing.T) {
		w := &sliceWriter{fail: errors.New("clickhouse down")}
		if err := Sink(w, &sliceProducer{}, nil)(context.Background(), []ingest.Record{good(1)}); err == nil {
			t.Fatal("nil error although the insert failed")
		}
	})
	t.Run("rows the writer rejects for good are dead-lettered", func(t *testing.T) {
		w, dlq := &sliceWriter{reject: map[int]error{1: errors.New("field ts: out of range")}}, &sliceProducer{}
		if err := Sink(w, dlq, nil)(context.Background(), []ingest.Record{good(1), bad, good(3)}); err != nil {
			t.Fatal(err)
		}
		// row 1 of the write is batch record 2 (offset 3): the bad record shifted the rows.
		if len(dlq.recs) != 2 || header(dlq.recs[1], ingest.HeaderDLQOffset) != "3" {
			t.Fatalf("dead letters %+v", dlq.recs)
		}
	})
	t.Run("dead-letter failure fails the batch", func(t *testing.T) {
		w := &sliceWriter{}
		err := Sink(w, &sliceProducer{fail: errors.New("down")}, nil)(context.Background(), []ingest.Record{bad})
		if err == nil {
			t.Fatal("nil error although the dead letter was not stored")
		}
	})
}

func mustDecode(t *testing.T, r ingest.Record) *schemas.RawClick {
	t.Helper()
	c, err := schemas.DecodeRawClick(r.Value)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
