package clickhouse

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/schemas"
	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

func TestRowValuesMapsEveryColumn(t *testing.T) {
	c := fullClick(0, time.Date(2026, 11, 23, 12, 0, 0, 500, time.FixedZone("CET", 3600)))
	row, err := rowValues(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(row) != len(chschema.Columns) {
		t.Fatalf("%d values for %d columns", len(row), len(chschema.Columns))
	}
	byCol := map[string]any{}
	for i, col := range chschema.Columns {
		byCol[col] = row[i]
	}
	checks := []struct {
		col  string
		want any
	}{
		{"event_id", uuid.MustParse(c.EventID)},
		{"type", c.Type},
		{"ts", c.Time.UTC()},
		{"link_id", c.LinkID},
		{"ip_prefix", c.IPPrefix},
		{"visitor_hash", c.VisitorHash},
		{"bot", uint8(1)},
		{"utm_campaign", c.UTM.Campaign},
		{"utm_content", c.UTM.Content},
		{"contact_id", c.ContactID},
		{"variant", c.Variant},
	}
	for _, ch := range checks {
		if byCol[ch.col] != ch.want {
			t.Errorf("column %s = %#v, want %#v", ch.col, byCol[ch.col], ch.want)
		}
	}
	if got := byCol["ts"].(time.Time).Location(); got != time.UTC {
		t.Errorf("ts location %v, want UTC", got)
	}
	if keys := byCol["metadata.key"].([]string); !slices.IsSorted(keys) || len(keys) != len(c.Metadata) {
		t.Errorf("metadata.key = %v, want the sorted keys of %v", keys, c.Metadata)
	}
	keys, values := byCol["metadata.key"].([]string), byCol["metadata.value"].([]string)
	for i := range keys {
		if c.Metadata[keys[i]] != values[i] {
			t.Errorf("metadata %q = %q, want %q", keys[i], values[i], c.Metadata[keys[i]])
		}
	}
}

func TestRowValuesEmptyCollections(t *testing.T) {
	c := fullClick(1, time.Unix(1700000000, 0))
	c.Tags, c.Metadata, c.Bot = nil, nil, false
	row, err := rowValues(c)
	if err != nil {
		t.Fatal(err)
	}
	for i, col := range chschema.Columns {
		switch col {
		case "tags", "metadata.key", "metadata.value":
			if v := row[i].([]string); v == nil || len(v) != 0 {
				t.Errorf("%s = %#v, want an empty non-nil slice", col, v)
			}
		case "bot":
			if row[i] != uint8(0) {
				t.Errorf("bot = %v, want 0", row[i])
			}
		}
	}
}

func TestRowValuesRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*schemas.EnrichedClick)
		want   string
	}{
		{name: "malformed event id", mutate: func(c *schemas.EnrichedClick) { c.EventID = "not-a-uuid" }, want: "field event_id"},
		{name: "empty event id", mutate: func(c *schemas.EnrichedClick) { c.EventID = "" }, want: "field event_id"},
		{name: "unknown type", mutate: func(c *schemas.EnrichedClick) { c.Type = "view" }, want: "field type"},
		{name: "missing link", mutate: func(c *schemas.EnrichedClick) { c.LinkID = "" }, want: "field link_id"},
		{name: "zero time", mutate: func(c *schemas.EnrichedClick) { c.Time = time.Time{} }, want: "field ts"},
		{name: "before epoch", mutate: func(c *schemas.EnrichedClick) { c.Time = time.Unix(-1, 0) }, want: "field ts"},
		{name: "after 2106", mutate: func(c *schemas.EnrichedClick) { c.Time = time.Unix(1<<32, 0) }, want: "field ts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fullClick(2, time.Unix(1700000000, 0))
			tt.mutate(c)
			_, err := rowValues(c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one naming %q", err, tt.want)
			}
		})
	}
	if _, err := rowValues(nil); err == nil {
		t.Error("nil click accepted")
	}
}

func TestRejectedErrorMessage(t *testing.T) {
	e := &RejectedError{}
	for i := range 5 {
		e.Rejected = append(e.Rejected, Rejection{Index: i * 10, Err: errFieldForTest})
	}
	msg := e.Error()
	for _, want := range []string{"5 clicks rejected", "click 0:", "click 20:", "and 2 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}

var errFieldForTest = errors.New("field x: bad")

func FuzzRowValues(f *testing.F) {
	f.Add("01936b2e-8c4a-7cde-9f01-23456789ab10", "click", "lnk_a", int64(1700000000), "k", "v")
	f.Add("{01936b2e-8c4a-7cde-9f01-23456789ab10}", "qr_scan", "", int64(-1), "", "")
	f.Add("urn:uuid:01936b2e-8c4a-7cde-9f01-23456789ab10", "x", "l", int64(1<<40), "a", "")
	f.Fuzz(func(t *testing.T, id, typ, link string, sec int64, k, v string) {
		c := &schemas.EnrichedClick{EventID: id, Type: typ, LinkID: link, Time: time.Unix(sec, 0), Metadata: map[string]string{k: v}}
		row, err := rowValues(c)
		if err != nil {
			return
		}
		if len(row) != len(chschema.Columns) {
			t.Fatalf("%d values for %d columns", len(row), len(chschema.Columns))
		}
	})
}

// fullClick returns a click with every field set, distinct per i.
func fullClick(i int, ts time.Time) *schemas.EnrichedClick {
	id := uuid.Must(uuid.NewV7())
	return &schemas.EnrichedClick{
		V: schemas.EnrichedClickVersion, EventID: id.String(), Type: []string{schemas.ClickTypeClick, schemas.ClickTypeQRScan}[i%2],
		Time: ts, WorkspaceID: "ws_" + string(rune('a'+i%3)), LinkID: "lnk_" + string(rune('a'+i%7)),
		Domain: "go.brand.example", Path: "/spring", Destination: "https://shop.example/spring?x=1",
		IPPrefix: "198.51.100.0/24", VisitorHash: uint64(i)*0x9E3779B97F4A7C15 + 1<<63,
		Country: "DE", Region: "DE-BE", City: "Berlin",
		DeviceType: "mobile", OS: "iOS", Browser: "Safari", Bot: true, BotName: "Slackbot",
		ReferrerHost: "news.example", Language: "de-DE",
		UTM:       schemas.UTM{Source: "newsletter", Medium: "email", Campaign: "spring", Term: "shoes", Content: "hero"},
		Tags:      []string{"spring", "q2"},
		Metadata:  map[string]string{"contact_id": "c_42", "segment": "vip", "a": ""},
		ContactID: "c_42", RuleID: "rule_geo", Variant: "b",
	}
}
