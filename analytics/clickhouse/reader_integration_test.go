package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/analytics"
	"github.com/clicktrail/clicktrail/internal/testenv"
	"github.com/clicktrail/clicktrail/schemas"
	sink "github.com/clicktrail/clicktrail/sinks/clickhouse"
)

type links map[string]string

func (l links) WorkspaceOf(_ context.Context, id string) (string, error) {
	if ws, ok := l[id]; ok {
		return ws, nil
	}
	return "", analytics.ErrNotFound
}

// fixture writes clicks (each twice: a replay) and conversions to a fresh
// database and serves the stats API over it; the workspace is the
// X-Workspace header. The rollups are compacted between the first write
// and the replay, and the compaction's watermark is then set back into
// the data (splitAt), so every answer is read from the rollup for the
// hours before it and live from the raw table after it.
func fixture(t *testing.T) (http.Handler, []*schemas.EnrichedClick, []sink.Conversion) {
	t.Helper()
	return fixtureRead(t, readSplit)
}

// How a fixture's stats are read.
const (
	readSplit     = "split"     // rollup before splitAt, raw table after
	readRaw       = "raw"       // no compaction: everything live from the raw table
	readCompacted = "compacted" // the watermark is the compaction's own: all from the rollup
)

// splitAt is where a readSplit fixture's watermark is: mid-range, not on a
// day's boundary.
var splitAt = time.Date(2026, 4, 15, 13, 0, 0, 0, time.UTC)

func fixtureRead(t *testing.T, mode string) (http.Handler, []*schemas.EnrichedClick, []sink.Conversion) {
	t.Helper()
	ctx := context.Background()
	db := testenv.Name("ct_stats")
	u, err := url.Parse(testenv.ClickHouse(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	w, err := sink.Open(ctx, sink.NewConfig(u.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r, err := Open(context.Background(), Config{DSN: u.String()})
		if err == nil {
			_ = r.conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
			r.Close()
		}
		w.Close()
	})
	if err := w.Migrate(ctx, sink.MigrateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	base := time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC) // the DST change in Berlin is on the 29th
	clicks := make([]*schemas.EnrichedClick, 2000)
	for i := range clicks {
		link := pick("lnk_1", "lnk_1", "lnk_2", "lnk_3")
		ws := map[string]string{"lnk_1": "ws_a", "lnk_2": "ws_a", "lnk_3": "ws_b"}[link]
		clicks[i] = &schemas.EnrichedClick{V: schemas.EnrichedClickVersion, EventID: uuid.Must(uuid.NewV7()).String(), Type: schemas.ClickTypeClick,
			Time: base.Add(time.Duration(r.IntN(40*24*3600)) * time.Second), WorkspaceID: ws, LinkID: link,
			VisitorHash: uint64(r.IntN(300)), Country: pick("DE", "FR", "US"), DeviceType: pick("mobile", "desktop"), OS: pick("iOS", "Android"),
			Browser: pick("Safari", "Chrome"), ReferrerHost: pick("", "t.co"), UTM: schemas.UTM{Source: pick("news", "ads"), Medium: "email", Campaign: pick("spring", "summer")},
			Variant: pick("a", "b"), RuleID: pick("", "rule_geo"), Bot: r.IntN(5) == 0, Internal: r.IntN(20) == 0}
	}
	convs := make([]sink.Conversion, 100)
	for i := range convs {
		c := clicks[i*7]
		convs[i] = sink.Conversion{EventID: uuid.Must(uuid.NewV7()).String(), Name: "purchase", OccurredAt: c.Time.Add(time.Minute), WorkspaceID: c.WorkspaceID,
			LinkID: c.LinkID, Amount: int64(100 + i), Currency: pick("EUR", "USD"), MatchedBy: "click_id", ClickID: c.EventID, ClickType: schemas.ClickTypeClick,
			ClickedAt: c.Time, UTM: c.UTM, Country: c.Country, DeviceType: c.DeviceType, ReferrerHost: c.ReferrerHost, Bot: c.Bot, RuleID: c.RuleID, Variant: c.Variant}
	}
	for i := range 2 {
		if err := w.Write(ctx, clicks); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteConversions(ctx, convs); err != nil {
			t.Fatal(err)
		}
		if mode == readRaw {
			continue
		}
		if _, err := w.CompactRollups(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 1 && mode == readSplit {
			if err := w.SetRollupWatermark(ctx, splitAt); err != nil {
				t.Fatal(err)
			}
		}
	}
	reader, err := Open(ctx, Config{DSN: u.String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reader.Close() })
	mounts, err := analytics.Mounts(analytics.Config{Reader: reader, Links: links{"lnk_1": "ws_a", "lnk_2": "ws_a", "lnk_3": "ws_b"},
		Workspace: func(r *http.Request) (string, error) { return r.Header.Get("X-Workspace"), nil },
		Now:       func() time.Time { return base.Add(45 * 24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range mounts {
		mux.Handle(p, h)
	}
	return mux, clicks, convs
}

func get(t *testing.T, h http.Handler, ws, target string, into any) int {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("X-Workspace", ws)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if into != nil && rec.Code == 200 {
		if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
			t.Fatalf("%s: %v\n%s", target, err, rec.Body)
		}
	}
	return rec.Code
}

// counted reports whether a click counts under bots.
func counted(c *schemas.EnrichedClick, bots string) bool {
	if c.Internal {
		return false
	}
	return bots == "include" || (bots == "only") == c.Bot
}

func TestLinkSeriesEveryIntervalAndZone(t *testing.T) {
	h, clicks, convs := fixture(t)
	tests := []struct {
		interval, tz, bots string
		from, to           string
	}{
		{"day", "UTC", "exclude", "2026-03-27", "2026-05-01"},
		{"day", "Europe/Berlin", "exclude", "2026-03-27", "2026-05-01"},
		{"day", "America/New_York", "include", "2026-03-27", "2026-04-20"},
		{"week", "Europe/Berlin", "only", "2026-03-23", "2026-05-04"},
		{"week", "UTC", "exclude", "2026-03-23", "2026-05-04"},
		{"month", "UTC", "include", "2026-03-01", "2026-06-01"},
		{"month", "Asia/Tokyo", "exclude", "2026-03-01", "2026-06-01"},
		{"hour", "UTC", "exclude", "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z"},
		{"hour", "Europe/Berlin", "include", "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.interval+" "+tt.tz+" "+tt.bots, func(t *testing.T) {
			var got analytics.LinkStats
			target := fmt.Sprintf("/v1/links/lnk_1/stats?interval=%s&tz=%s&bots=%s&from=%s&to=%s", tt.interval, tt.tz, tt.bots, tt.from, tt.to)
			if code := get(t, h, "ws_a", target, &got); code != 200 {
				t.Fatalf("status %d", code)
			}
			zone, _ := time.LoadLocation(tt.tz)
			want := map[int64]uint64{}
			visitors := map[int64]map[uint64]bool{}
			var total uint64
			for _, c := range clicks {
				if c.LinkID != "lnk_1" || !counted(c, tt.bots) || c.Time.Before(got.From) || !c.Time.Before(got.To) {
					continue
				}
				k := bucketStart(c.Time, tt.interval, zone).Unix()
				want[k]++
				if visitors[k] == nil {
					visitors[k] = map[uint64]bool{}
				}
				visitors[k][c.VisitorHash] = true
				total++
			}
			var seen, sum uint64
			for _, p := range got.Series {
				k := p.Start.Unix()
				if p.Clicks != want[k] || p.Visitors != uint64(len(visitors[k])) {
					t.Errorf("bucket %s: clicks %d visitors %d, want %d and %d", p.Start, p.Clicks, p.Visitors, want[k], len(visitors[k]))
				}
				seen += want[k]
				sum += p.Clicks
			}
			if seen != total || got.Totals.Clicks != total || sum != total || total == 0 {
				t.Errorf("total %d, series sum %d, buckets cover %d, want %d (> 0)", got.Totals.Clicks, sum, seen, total)
			}
			var convN uint64
			for _, c := range convs {
				bot := c.Bot
				if c.LinkID == "lnk_1" && (tt.bots == "include" || (tt.bots == "only") == bot) && !c.OccurredAt.Before(got.From) && c.OccurredAt.Before(got.To) {
					convN++
				}
			}
			if *got.Totals.Conversions != convN {
				t.Errorf("conversions %d, want %d", *got.Totals.Conversions, convN)
			}
		})
	}
}

// bucketStart is the truth's bucketing, written apart from analytics'.
func bucketStart(t time.Time, interval string, zone *time.Location) time.Time {
	l := t.In(zone)
	switch interval {
	case "hour":
		return t.Truncate(time.Hour)
	case "week":
		d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
		for d.Weekday() != time.Monday {
			d = time.Date(d.Year(), d.Month(), d.Day()-1, 0, 0, 0, 0, zone)
		}
		return d
	case "month":
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, zone)
	}
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
}

func TestLinkGroupByEveryDimension(t *testing.T) {
	h, clicks, _ := fixture(t)
	value := map[string]func(*schemas.EnrichedClick) string{
		"country": func(c *schemas.EnrichedClick) string { return c.Country }, "device": func(c *schemas.EnrichedClick) string { return c.DeviceType },
		"os": func(c *schemas.EnrichedClick) string { return c.OS }, "browser": func(c *schemas.EnrichedClick) string { return c.Browser },
		"referrer": func(c *schemas.EnrichedClick) string { return c.ReferrerHost }, "utm_source": func(c *schemas.EnrichedClick) string { return c.UTM.Source },
		"utm_medium": func(c *schemas.EnrichedClick) string { return c.UTM.Medium }, "utm_campaign": func(c *schemas.EnrichedClick) string { return c.UTM.Campaign },
		"variant": func(c *schemas.EnrichedClick) string { return c.Variant }, "rule": func(c *schemas.EnrichedClick) string { return c.RuleID },
	}
	for _, dim := range analytics.Dimensions() {
		t.Run(dim, func(t *testing.T) {
			var got analytics.LinkStats
			if code := get(t, h, "ws_a", "/v1/links/lnk_2/stats?from=2026-03-01&to=2026-06-01&group_by="+dim, &got); code != 200 {
				t.Fatalf("status %d", code)
			}
			want := map[string]uint64{}
			for _, c := range clicks {
				if c.LinkID == "lnk_2" && counted(c, "exclude") {
					want[value[dim](c)]++
				}
			}
			if len(got.Groups) != len(want) {
				t.Errorf("%d groups, want %d: %+v", len(got.Groups), len(want), got.Groups)
			}
			for _, g := range got.Groups {
				if g.Clicks != want[g.Key] {
					t.Errorf("%s=%q: %d clicks, want %d", dim, g.Key, g.Clicks, want[g.Key])
				}
				if (g.Conversions == nil) != (dim == "os" || dim == "browser") {
					t.Errorf("%s=%q: conversions %v", dim, g.Key, g.Conversions)
				}
			}
		})
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	h, clicks, _ := fixture(t)
	if code := get(t, h, "ws_a", "/v1/links/lnk_3/stats", nil); code != 404 {
		t.Errorf("another workspace's link: status %d, want 404", code)
	}
	if code := get(t, h, "ws_a", "/v1/links/lnk_nope/stats", nil); code != 404 {
		t.Errorf("unknown link: status %d, want 404", code)
	}
	var got analytics.WorkspaceStats
	if code := get(t, h, "ws_a", "/v1/stats?from=2026-03-01&to=2026-06-01&limit=5", &got); code != 200 {
		t.Fatalf("status %d", code)
	}
	want := map[string]uint64{}
	countries := map[string]uint64{}
	for _, c := range clicks {
		if c.WorkspaceID == "ws_a" && counted(c, "exclude") {
			want[c.LinkID]++
			countries[c.Country]++
		}
	}
	if len(got.Links) != 2 {
		t.Fatalf("top links %+v, want lnk_1 and lnk_2 only", got.Links)
	}
	for _, l := range got.Links {
		if l.Clicks != want[l.Key] {
			t.Errorf("link %s: %d clicks, want %d", l.Key, l.Clicks, want[l.Key])
		}
	}
	if got.Links[0].Clicks < got.Links[1].Clicks {
		t.Errorf("top links not ordered: %+v", got.Links)
	}
	for _, c := range got.Countries {
		if c.Clicks != countries[c.Key] {
			t.Errorf("country %s: %d clicks, want %d (ws_a's only)", c.Key, c.Clicks, countries[c.Key])
		}
	}
	if got.Totals.Clicks != want["lnk_1"]+want["lnk_2"] {
		t.Errorf("workspace total %d, want %d", got.Totals.Clicks, want["lnk_1"]+want["lnk_2"])
	}
	if strings.Contains(fmt.Sprint(got), "lnk_3") {
		t.Errorf("ws_b's link appears in ws_a's stats: %+v", got)
	}
}

// TestReadPathsAgree reads the same stats from the raw table only, from
// the rollup only, and split between them: the answers are identical.
func TestReadPathsAgree(t *testing.T) {
	targets := []string{
		"/v1/stats?from=2026-03-01&to=2026-06-01&limit=5",
		"/v1/stats?from=2026-03-20&to=2026-05-10&interval=week&tz=Europe/Berlin",
		"/v1/links/lnk_1/stats?from=2026-03-27&to=2026-05-06&interval=day&group_by=country&bots=include",
		"/v1/links/lnk_2/stats?from=2026-04-14&to=2026-04-17&interval=hour&group_by=utm_campaign&tz=Asia/Kolkata",
	}
	answers := map[string][]string{}
	for _, mode := range []string{readRaw, readCompacted, readSplit} {
		h, _, _ := fixtureRead(t, mode)
		for _, target := range targets {
			var got json.RawMessage
			if code := get(t, h, "ws_a", target, &got); code != 200 {
				t.Fatalf("%s %s: status %d", mode, target, code)
			}
			answers[target] = append(answers[target], string(got))
		}
	}
	for target, as := range answers {
		if as[0] != as[1] || as[0] != as[2] {
			t.Errorf("%s: raw, compacted and split answers differ:\n%s\n%s\n%s", target, as[0], as[1], as[2])
		}
		if !strings.Contains(as[0], `"clicks":`) {
			t.Errorf("%s: no clicks in %s", target, as[0])
		}
	}
}
