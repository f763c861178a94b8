package guidetest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// Truth returns the rows each guide query must give over the dataset,
// keyed by a piece of text only that query holds. Rows are compared as a
// set, each cell normalized (Normalize).
func Truth(clicks []*schemas.EnrichedClick, convs []Conversion, now time.Time) map[string][][]string {
	month, week := now.Add(-30*24*time.Hour), now.UTC().Truncate(24*time.Hour).Add(-7*24*time.Hour)
	date := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	count := func(keep func(c *schemas.EnrichedClick) bool, key func(c *schemas.EnrichedClick) []string) [][]string {
		n := map[string]int{}
		for _, c := range clicks {
			if keep(c) {
				n[strings.Join(key(c), "\t")]++
			}
		}
		return rows(n)
	}
	human := func(c *schemas.EnrichedClick) bool { return !c.Bot }

	t := map[string][][]string{}
	t["SELECT count() FROM clicks FINAL WHERE link_id"] = count(func(c *schemas.EnrichedClick) bool { return c.LinkID == Link }, func(*schemas.EnrichedClick) []string { return nil })
	t["SELECT uniqExact(event_id) FROM clicks WHERE link_id"] = t["SELECT count() FROM clicks FINAL WHERE link_id"]
	t["toDate(ts) AS day, count() AS clicks"] = count(func(c *schemas.EnrichedClick) bool { return human(c) && !c.Time.Before(month) },
		func(c *schemas.EnrichedClick) []string { return []string{c.LinkID, date(c.Time)} })
	visitors := map[string]map[uint64]bool{}
	for _, c := range clicks {
		if c.LinkID == Link && human(c) {
			if visitors[date(c.Time)] == nil {
				visitors[date(c.Time)] = map[uint64]bool{}
			}
			visitors[date(c.Time)][c.VisitorHash] = true
		}
	}
	for d, v := range visitors {
		t["uniqExact(visitor_hash) AS visitors"] = append(t["uniqExact(visitor_hash) AS visitors"], []string{d, strconv.Itoa(len(v))})
	}
	t["country, device_type, count() AS clicks"] = count(func(c *schemas.EnrichedClick) bool { return human(c) && !c.Time.Before(week) },
		func(c *schemas.EnrichedClick) []string { return []string{c.Country, c.DeviceType} })
	type share struct {
		bots, all int
		names     map[string]bool
	}
	shares := map[string]*share{}
	for _, c := range clicks {
		if c.Time.Before(week) {
			continue
		}
		s := shares[c.LinkID]
		if s == nil {
			s = &share{names: map[string]bool{}}
			shares[c.LinkID] = s
		}
		s.all++
		if c.Bot {
			s.bots++
			s.names[c.BotName] = true
		}
	}
	for link, s := range shares {
		names := make([]string, 0, len(s.names))
		for n := range s.names {
			names = append(names, "'"+n+"'")
		}
		sort.Strings(names)
		t["bot_share"] = append(t["bot_share"], []string{link, fmt.Sprint(float64(s.bots) / float64(s.all)), "[" + strings.Join(names, ",") + "]"})
	}
	t["utm_campaign, type, uniqExact(event_id) AS clicks"] = count(func(c *schemas.EnrichedClick) bool { return human(c) && c.UTM.Source == "newsletter" },
		func(c *schemas.EnrichedClick) []string { return []string{c.UTM.Campaign, c.Type} })
	t["AS segment, count() AS clicks"] = count(func(c *schemas.EnrichedClick) bool { return human(c) && c.Metadata["segment"] != "" },
		func(c *schemas.EnrichedClick) []string { return []string{c.Metadata["segment"]} })
	tags := map[string]int{}
	for _, c := range clicks {
		for _, tag := range c.Tags {
			if human(c) {
				tags[tag]++
			}
		}
	}
	t["ARRAY JOIN tags AS tag"] = rows(tags)

	campaignClicks := map[string]int{}
	for _, c := range clicks {
		if human(c) && !c.Time.Before(month) {
			campaignClicks[c.UTM.Campaign]++
		}
	}
	purchases, revenue, bought := map[string]int{}, map[string]int64{}, map[string]int{}
	for _, c := range convs {
		if c.Name != "purchase" {
			continue
		}
		if !c.OccurredAt.Before(month) {
			purchases[c.Campaign]++
		}
		revenue[c.Campaign+"\t"+c.Currency] += c.Amount
		bought[c.Campaign+"\t"+c.Currency]++
	}
	for campaign, n := range campaignClicks {
		rate := math.Round(float64(purchases[campaign])/float64(n)*1e4) / 1e4
		t["conversion_rate"] = append(t["conversion_rate"], []string{campaign, strconv.Itoa(n), strconv.Itoa(purchases[campaign]), fmt.Sprint(rate)})
	}
	for k, amount := range revenue {
		campaign, currency, _ := strings.Cut(k, "\t")
		t["sum(amount) / 100 AS revenue"] = append(t["sum(amount) / 100 AS revenue"], []string{campaign, currency, strconv.Itoa(bought[k]), fmt.Sprint(float64(amount) / 100)})
	}
	type funnel struct {
		leads, buyers map[string]bool
		delays        []float64
	}
	links := map[string]*funnel{}
	for _, c := range convs {
		f := links[c.LinkID]
		if f == nil {
			f = &funnel{leads: map[string]bool{}, buyers: map[string]bool{}}
			links[c.LinkID] = f
		}
		switch c.Name {
		case "lead":
			f.leads[c.ContactID] = true
		case "purchase":
			f.buyers[c.ContactID] = true
		}
		f.delays = append(f.delays, c.OccurredAt.Sub(c.ClickedAt).Seconds())
	}
	for link, f := range links {
		t["median_seconds_to_convert"] = append(t["median_seconds_to_convert"], []string{link, strconv.Itoa(len(f.leads)), strconv.Itoa(len(f.buyers)), fmt.Sprint(median(f.delays))})
	}
	return t
}

// median interpolates between the middle values, as ClickHouse's quantile
// does on a sample that holds every value.
func median(v []float64) float64 {
	slices.Sort(v)
	pos := 0.5 * float64(len(v)-1)
	lo := int(pos)
	if lo+1 >= len(v) {
		return v[lo]
	}
	return v[lo] + (pos-float64(lo))*(v[lo+1]-v[lo])
}

func rows(n map[string]int) [][]string {
	var out [][]string
	for k, v := range n {
		r := []string{}
		if k != "" {
			r = strings.Split(k, "\t")
		}
		out = append(out, append(r, strconv.Itoa(v)))
	}
	return out
}

// Normalize makes cells of different engines and drivers comparable:
// numbers to four decimals, arrays (['a','b']) sorted.
func Normalize(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			switch f, err := strconv.ParseFloat(c, 64); {
			case err == nil:
				cells[j] = strconv.FormatFloat(f, 'f', 4, 64)
			case strings.HasPrefix(c, "[") && strings.HasSuffix(c, "]"):
				items := strings.Split(strings.Trim(c, "[]"), ",")
				slices.Sort(items)
				cells[j] = "[" + strings.Join(items, ",") + "]"
			default:
				cells[j] = c
			}
		}
		out[i] = strings.Join(cells, "\t")
	}
	slices.Sort(out)
	return out
}

// Check compares each query's rows (got, in the order of queries) with the
// truth: every query must match exactly one key of truth and every key one
// query, so the guide and its test cannot drift apart.
func Check(queries []string, got [][][]string, truth map[string][][]string) []error {
	var errs []error
	used := map[string]bool{}
	for i, q := range queries {
		var keys []string
		for k := range truth {
			if strings.Contains(q, k) {
				keys = append(keys, k)
			}
		}
		if len(keys) != 1 {
			errs = append(errs, fmt.Errorf("query %d matches %d keys of the truth %v, want 1:\n%s", i, len(keys), keys, q))
			continue
		}
		used[keys[0]] = true
		if g, w := Normalize(got[i]), Normalize(truth[keys[0]]); !slices.Equal(g, w) {
			errs = append(errs, fmt.Errorf("query %d:\n%s\ngot rows\n%s\nwant\n%s", i, q, strings.Join(g, "\n"), strings.Join(w, "\n")))
		}
	}
	for k := range truth {
		if !used[k] {
			errs = append(errs, fmt.Errorf("no query of the guide holds %q: the truth has an answer for a query the guide lost", k))
		}
	}
	return errs
}
