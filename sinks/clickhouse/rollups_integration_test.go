package clickhouse

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clicktrail/clicktrail/schemas"
	chschema "github.com/clicktrail/clicktrail/schemas/clickhouse"
)

// rollupClicks returns n clicks over three days with every dimension
// varying, drawn from seed.
func rollupClicks(seed uint64, n int, base time.Time) []*schemas.EnrichedClick {
	r := rand.New(rand.NewPCG(seed, 1))
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	out := make([]*schemas.EnrichedClick, n)
	for i := range out {
		c := fullClick(i, base.Add(time.Duration(r.IntN(72*3600))*time.Second))
		c.WorkspaceID, c.LinkID = pick("ws_a", "ws_b"), pick("lnk_1", "lnk_2", "lnk_3")
		c.VisitorHash = uint64(r.IntN(n/3 + 1))
		c.Country, c.DeviceType, c.OS, c.Browser = pick("DE", "FR", ""), pick("mobile", "desktop"), pick("iOS", "Linux"), pick("Safari", "Firefox")
		c.ReferrerHost = pick("", "news.example", "t.co")
		c.UTM = schemas.UTM{Source: pick("", "newsletter"), Medium: pick("email", "social"), Campaign: pick("spring", "summer", "")}
		c.Variant, c.RuleID = pick("", "a", "b"), pick("", "rule_geo")
		c.Bot, c.Internal = r.IntN(5) == 0, r.IntN(10) == 0
		out[i] = c
	}
	return out
}

// rollupKey is one row of a rollup: its key columns as text.
type rollupKey struct {
	ws, link, bucket, dim, value string
	bot, tail                    string // tail: internal for clicks, currency for conversions
}

// clickTruth counts what the click rollups must hold for clicks, computed in
// Go from distinct events.
func clickTruth(clicks []*schemas.EnrichedClick, bucket func(time.Time) string) map[rollupKey][2]uint64 {
	events := map[rollupKey]map[string]bool{}
	visitors := map[rollupKey]map[uint64]bool{}
	for _, c := range clicks {
		vals := map[string]string{"": "", "country": c.Country, "device": c.DeviceType, "os": c.OS, "browser": c.Browser,
			"referrer": c.ReferrerHost, "utm_source": c.UTM.Source, "utm_medium": c.UTM.Medium, "utm_campaign": c.UTM.Campaign,
			"variant": c.Variant, "rule": c.RuleID}
		for dim, value := range vals {
			k := rollupKey{c.WorkspaceID, c.LinkID, bucket(c.Time), dim, value, fmt.Sprint(uint8Of(c.Bot)), fmt.Sprint(uint8Of(c.Internal))}
			if events[k] == nil {
				events[k], visitors[k] = map[string]bool{}, map[uint64]bool{}
			}
			events[k][c.EventID], visitors[k][c.VisitorHash] = true, true
		}
	}
	out := map[rollupKey][2]uint64{}
	for k, ids := range events {
		out[k] = [2]uint64{uint64(len(ids)), uint64(len(visitors[k]))}
	}
	return out
}

func hourOf(t time.Time) string { return t.UTC().Truncate(time.Hour).Format("2006-01-02 15:04:05") }
func dayOf(t time.Time) string  { return t.UTC().Format("2006-01-02") }

// readRollup reads a rollup as its readers do (FINAL, then summed by key,
// keys whose count is 0 left out): two numbers per row. bucket is an
// expression of hour (hour itself, or toDate(hour) for UTC days).
func readRollup(t *testing.T, w *Writer, table, bucket, tail, count, second string) map[rollupKey][2]uint64 {
	t.Helper()
	q := fmt.Sprintf(`SELECT workspace_id, link_id, toString(%[2]s) AS b, dim, value, toString(bot), toString(%[3]s),
		sum(%[4]s) AS n, %[5]s FROM %[1]s FINAL GROUP BY workspace_id, link_id, b, dim, value, bot, %[3]s HAVING n > 0`,
		w.db+"."+table, bucket, tail, count, second)
	rows, err := w.conn.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	out := map[rollupKey][2]uint64{}
	for rows.Next() {
		var k rollupKey
		var x, y uint64
		if err := rows.Scan(&k.ws, &k.link, &k.bucket, &k.dim, &k.value, &k.bot, &k.tail, &x, &y); err != nil {
			t.Fatal(err)
		}
		out[k] = [2]uint64{x, y}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func compareRollup(t *testing.T, name string, got, want map[rollupKey][2]uint64) {
	t.Helper()
	for _, k := range slices.SortedFunc(maps.Keys(want), func(a, b rollupKey) int { return cmpKey(a, b) }) {
		if got[k] != want[k] {
			t.Errorf("%s %+v = %v, want %v", name, k, got[k], want[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s has a row the truth lacks: %+v = %v", name, k, got[k])
		}
	}
}

func cmpKey(a, b rollupKey) int {
	return slices.Compare([]string{a.ws, a.link, a.bucket, a.dim, a.value, a.bot, a.tail}, []string{b.ws, b.link, b.bucket, b.dim, b.value, b.bot, b.tail})
}

// compact runs one compaction pass.
func compact(t *testing.T, w *Writer) Compaction {
	t.Helper()
	c, err := w.CompactRollups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRollupsStayExactUnderReplay inserts a batch and replays it whole,
// compacts, then inserts a batch that half overlaps it, compacts again,
// and checks every row of the click rollup (hours, and UTC days derived
// from them) against the distinct events counted in Go. The raw table
// holds the duplicates (its count() without FINAL is larger), so the
// compaction did see every copy. Then one click is re-delivered with
// another country (re-enriched): it moves from its old country's row to
// the new one, and the total is unchanged.
func TestRollupsStayExactUnderReplay(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	first := rollupClicks(1, 3000, base)
	overlap := append(slices.Clone(first[1500:]), rollupClicks(2, 1000, base)...)
	for i, batch := range [][]*schemas.EnrichedClick{first, first, overlap} {
		if err := w.Write(ctx, batch); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if i == 1 {
			if c := compact(t, w); !c.Since.IsZero() && c.Since.Unix() != 0 || c.ClickHours == 0 {
				t.Fatalf("first pass %+v: want one from no watermark that recomputes hours", c)
			}
		}
	}
	if c := compact(t, w); c.ClickHours == 0 {
		t.Fatalf("second pass %+v recomputed nothing after the overlapping batch", c)
	}
	all := append(slices.Clone(first), overlap[1500:]...)
	var raw uint64
	if err := w.conn.QueryRow(ctx, fmt.Sprintf("SELECT count() FROM %s.clicks", w.db)).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if raw <= uint64(len(all)) {
		t.Fatalf("raw table has %d rows for %d events: the replay did not reach the server twice", raw, len(all))
	}
	r := chschema.Options{}.Rollups()
	check := func() {
		t.Helper()
		compareRollup(t, r.ClicksHourly, readRollup(t, w, r.ClicksHourly, "hour", "internal", "clicks", "uniqExactMerge(visitors)"), clickTruth(all, hourOf))
		compareRollup(t, r.ClicksHourly+" by day", readRollup(t, w, r.ClicksHourly, "toDate(hour)", "internal", "clicks", "uniqExactMerge(visitors)"), clickTruth(all, dayOf))
	}
	check()

	moved := *all[0]
	moved.Country = map[string]string{"DE": "FR", "FR": "", "": "DE"}[moved.Country]
	if err := w.Write(ctx, []*schemas.EnrichedClick{&moved}); err != nil {
		t.Fatal(err)
	}
	// The raw table keeps the last inserted copy; so must the rollup.
	all[0] = &moved
	compact(t, w)
	check()
}

// TestConversionRollupsStayExactUnderReplay does the same for conversions
// and their revenue per currency.
func TestConversionRollupsStayExactUnderReplay(t *testing.T) {
	w := openTestWriter(t)
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(3, 4))
	convs := make([]Conversion, 600)
	for i := range convs {
		c := testConversion(i, base.Add(time.Duration(r.IntN(48*3600))*time.Second))
		c.EventID = uuid.Must(uuid.NewV7()).String()
		c.LinkID, c.Currency = []string{"lnk_1", "lnk_2"}[r.IntN(2)], []string{"EUR", "USD"}[r.IntN(2)]
		c.Amount = int64(r.IntN(10000))
		c.UTM.Campaign, c.Country, c.Bot = []string{"bf", "spring"}[r.IntN(2)], []string{"GB", "DE"}[r.IntN(2)], r.IntN(6) == 0
		convs[i] = c
	}
	overlap := append(slices.Clone(convs[300:]), convs[:50]...)
	for i, batch := range [][]Conversion{convs, convs, overlap} {
		if err := w.WriteConversions(ctx, batch); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	truth := func(bucket func(time.Time) string) map[rollupKey][2]uint64 {
		out := map[rollupKey][2]uint64{}
		for _, c := range convs {
			vals := map[string]string{"": "", "country": c.Country, "device": c.DeviceType, "referrer": c.ReferrerHost,
				"utm_source": c.UTM.Source, "utm_medium": c.UTM.Medium, "utm_campaign": c.UTM.Campaign, "variant": c.Variant, "rule": c.RuleID}
			for dim, value := range vals {
				k := rollupKey{c.WorkspaceID, c.LinkID, bucket(c.OccurredAt), dim, value, fmt.Sprint(uint8Of(c.Bot)), c.Currency}
				v := out[k]
				out[k] = [2]uint64{v[0] + 1, v[1] + uint64(c.Amount)}
			}
		}
		return out
	}
	compact(t, w)
	revenue := "toUInt64(sum(revenue))"
	rs := chschema.Options{}.Rollups()
	compareRollup(t, rs.ConversionsHourly, readRollup(t, w, rs.ConversionsHourly, "hour", "currency", "conversions", revenue), truth(hourOf))
	compareRollup(t, rs.ConversionsHourly+" by day", readRollup(t, w, rs.ConversionsHourly, "toDate(hour)", "currency", "conversions", revenue), truth(dayOf))
}
