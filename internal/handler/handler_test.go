package handler

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/ingest/record"
	"github.com/clicktrail/clicktrail/ingest/record/recordtest"
	"github.com/clicktrail/clicktrail/schemas"
)

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

func rawRecord(t *testing.T, offset int64, ip string) record.Record {
	t.Helper()
	c := &schemas.RawClick{V: 1, EventID: "01936b2e-8c4a-7cde-9f01-23456789ab" + strconv.Itoa(10+int(offset)),
		Type: schemas.ClickTypeClick, Time: time.Unix(1700000000, 0).UTC(), LinkID: "lnk_a", IP: ip}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return record.Record{Topic: schemas.TopicClicksRaw, Partition: 3, Offset: offset, Key: []byte("lnk_a"), Value: b}
}

func TestEnrichRoutesGoodAndDeadLettersBad(t *testing.T) {
	out := &recordtest.Producer{}
	h := Enrich(upperEnricher{}, out, schemas.TopicClicksEnriched, nil)
	batch := []record.Record{
		rawRecord(t, 10, "192.0.2.1"),
		{Topic: schemas.TopicClicksRaw, Partition: 3, Offset: 11, Key: []byte("lnk_a"), Value: []byte("{not json")},
		rawRecord(t, 12, "bad"),
		rawRecord(t, 13, "192.0.2.2"),
	}
	if err := h(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if len(out.Recs) != 4 {
		t.Fatalf("produced %d records, want 4 (2 enriched, 2 dead letters)", len(out.Recs))
	}
	wantTopics := []string{schemas.TopicClicksEnriched, "clicks.raw.v1.dlq", "clicks.raw.v1.dlq", schemas.TopicClicksEnriched}
	for i, r := range out.Recs {
		if r.Topic != wantTopics[i] {
			t.Errorf("record %d went to %s, want %s", i, r.Topic, wantTopics[i])
		}
		if string(r.Key) != "lnk_a" {
			t.Errorf("record %d lost its key", i)
		}
	}
	if got := recordtest.Header(out.Recs[1], record.HeaderDLQOffset); got != "11" {
		t.Errorf("dead letter offset header = %q, want 11", got)
	}
	if got := recordtest.Header(out.Recs[2], record.HeaderDLQError); got == "" {
		t.Error("dead letter carries no error")
	}
	if _, err := schemas.DecodeEnrichedClick(out.Recs[3].Value); err != nil {
		t.Errorf("enriched output does not decode: %v", err)
	}
}

func TestEnrichFailsTheBatchWhenOutputIsNotDurable(t *testing.T) {
	h := Enrich(upperEnricher{}, &recordtest.Producer{Fail: errors.New("broker down")}, schemas.TopicClicksEnriched, nil)
	if err := h(context.Background(), []record.Record{rawRecord(t, 1, "192.0.2.1")}); err == nil {
		t.Fatal("handler returned nil although nothing was produced")
	}
}

func TestSinkStage(t *testing.T) {
	good := func(off int64) record.Record {
		c, _ := upperEnricher{}.Enrich(mustDecode(t, rawRecord(t, off, "192.0.2.1")))
		b, _ := c.Marshal()
		return record.Record{Topic: schemas.TopicClicksEnriched, Offset: off, Value: b}
	}
	bad := record.Record{Topic: schemas.TopicClicksEnriched, Offset: 2, Value: []byte(`{"v":9}`)}

	t.Run("writes good rows and dead-letters bad ones", func(t *testing.T) {
		w, dlq := &sliceWriter{}, &recordtest.Producer{}
		if err := Sink(w, dlq, nil)(context.Background(), []record.Record{good(1), bad, good(3)}); err != nil {
			t.Fatal(err)
		}
		if len(w.rows) != 2 || len(dlq.Recs) != 1 || dlq.Recs[0].Topic != "clicks.enriched.v1.dlq" {
			t.Fatalf("rows=%d dead=%d", len(w.rows), len(dlq.Recs))
		}
	})
	t.Run("insert failure fails the batch", func(t *testing.T) {
		w := &sliceWriter{fail: errors.New("clickhouse down")}
		if err := Sink(w, &recordtest.Producer{}, nil)(context.Background(), []record.Record{good(1)}); err == nil {
			t.Fatal("nil error although the insert failed")
		}
	})
	t.Run("rows the writer rejects for good are dead-lettered", func(t *testing.T) {
		w, dlq := &sliceWriter{reject: map[int]error{1: errors.New("field ts: out of range")}}, &recordtest.Producer{}
		if err := Sink(w, dlq, nil)(context.Background(), []record.Record{good(1), bad, good(3)}); err != nil {
			t.Fatal(err)
		}
		// row 1 of the write is batch record 2 (offset 3): the bad record shifted the rows.
		if len(dlq.Recs) != 2 || recordtest.Header(dlq.Recs[1], record.HeaderDLQOffset) != "3" {
			t.Fatalf("dead letters %+v", dlq.Recs)
		}
	})
	t.Run("dead-letter failure fails the batch", func(t *testing.T) {
		w := &sliceWriter{}
		err := Sink(w, &recordtest.Producer{Fail: errors.New("down")}, nil)(context.Background(), []record.Record{bad})
		if err == nil {
			t.Fatal("nil error although the dead letter was not stored")
		}
	})
}

func mustDecode(t *testing.T, r record.Record) *schemas.RawClick {
	t.Helper()
	c, err := schemas.DecodeRawClick(r.Value)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEnrichDeadLettersKeepNoAddress: a raw click that cannot be enriched
// is dead-lettered for 30 days, so its address must be truncated (or the
// value dropped when it cannot be searched), never kept whole.
func TestEnrichDeadLettersKeepNoAddress(t *testing.T) {
	out := &recordtest.Producer{}
	h := Enrich(upperEnricher{}, out, schemas.TopicClicksEnriched, nil)
	undecodable := rawRecord(t, 1, "198.51.100.77")
	undecodable.Value = []byte(strings.Replace(string(undecodable.Value), `"v":1`, `"v":99`, 1))
	batch := []record.Record{
		undecodable,            // decodes as JSON, not as a raw click
		rawRecord(t, 2, "bad"), // enrich refuses it
		{Topic: schemas.TopicClicksRaw, Offset: 3, Value: []byte("198.51.100.77 not json")},
	}
	if err := h(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if len(out.Recs) != 3 {
		t.Fatalf("produced %d records, want 3 dead letters", len(out.Recs))
	}
	for i, r := range out.Recs {
		all := string(r.Value)
		for _, h := range r.Headers {
			all += " " + string(h.Value)
		}
		if strings.Contains(all, "198.51.100.77") {
			t.Errorf("dead letter %d keeps the full address: %s", i, all)
		}
	}
	var first map[string]any
	if err := json.Unmarshal(out.Recs[0].Value, &first); err != nil || first["ip"] != "198.51.100.0/24" || first["link_id"] != "lnk_a" {
		t.Errorf("dead letter 0 = %s (%v), want the click with ip 198.51.100.0/24", out.Recs[0].Value, err)
	}
	if got := recordtest.Header(out.Recs[0], HeaderDLQRedacted); got != "ip" {
		t.Errorf("dead letter 0 redacted header = %q, want ip", got)
	}
	if got := recordtest.Header(out.Recs[2], HeaderDLQRedacted); !strings.HasPrefix(got, "value (22 bytes") || out.Recs[2].Value != nil {
		t.Errorf("dead letter 2 = %q with header %q, want the value dropped", out.Recs[2].Value, got)
	}
}
