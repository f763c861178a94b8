package analytics

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Numbers are the counts of one bucket, group or link. Conversions and
// Revenue are absent for groups by os and browser, which conversions do
// not carry.
type Numbers struct {
	Clicks      uint64   `json:"clicks"`
	Visitors    uint64   `json:"visitors"`
	Conversions *uint64  `json:"conversions,omitempty"`
	Revenue     *[]Money `json:"revenue,omitempty"`
}

// Point is one bucket of a series; Start is the bucket's first instant.
type Point struct {
	Start time.Time `json:"start"`
	Numbers
}

// Group is the numbers of one key (a dimension's value or a link id).
type Group struct {
	Key string `json:"key"`
	Numbers
}

// Range echoes the range a stats answer covers, widened to whole buckets.
type Range struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Interval Interval  `json:"interval"`
	TZ       string    `json:"tz"`
	Bots     BotFilter `json:"bots"`
}

// LinkStats is the answer of GET /v1/links/{id}/stats.
type LinkStats struct {
	LinkID string `json:"link_id"`
	Range
	Totals  Numbers `json:"totals"`
	Series  []Point `json:"series"`
	GroupBy string  `json:"group_by,omitempty"`
	Groups  []Group `json:"groups,omitempty"`
}

// WorkspaceStats is the answer of GET /v1/stats.
type WorkspaceStats struct {
	Range
	Totals    Numbers `json:"totals"`
	Series    []Point `json:"series"`
	Links     []Group `json:"links"`
	Campaigns []Group `json:"campaigns"`
	Countries []Group `json:"countries"`
	Devices   []Group `json:"devices"`
	Referrers []Group `json:"referrers"`
}

// stats reads numbers for one workspace (and maybe one link) with a
// Reader.
type stats struct {
	r Reader
	p params
	q Query // Workspace, LinkID and the range set
}

func newStats(r Reader, p params, workspace, link string) *stats {
	return &stats{r: r, p: p, q: Query{Workspace: workspace, LinkID: link, Interval: p.interval, Zone: p.zone, From: p.from, To: p.to, Bots: p.bots}}
}

func (s *stats) rangeOf() Range {
	return Range{From: s.p.from.In(s.p.zone), To: s.p.to.In(s.p.zone), Interval: s.p.interval, TZ: s.p.zone.String(), Bots: s.p.bots}
}

// groups reads the clicks and conversions of dim keyed by key, the limit
// keys with most clicks first (limit 0: all, by key order of clicks).
func (s *stats) groups(ctx context.Context, dim string, key Key, limit int) ([]Group, error) {
	q := s.q
	q.Dim, q.Key, q.Limit = dim, key, limit
	clicks, err := s.r.Clicks(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read clicks: %w", err)
	}
	out := make([]Group, len(clicks))
	for i, c := range clicks {
		out[i] = Group{Key: c.Key, Numbers: Numbers{Clicks: c.N, Visitors: c.Visitors}}
	}
	if !hasConversions(dim) && dim != "" {
		return out, nil
	}
	q.Limit = 0 // conversions of the keys that made the clicks' cut
	convs, err := s.r.Conversions(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read conversions: %w", err)
	}
	byKey := map[string]Count{}
	for _, c := range convs {
		byKey[c.Key] = c
	}
	for i := range out {
		c := byKey[out[i].Key]
		out[i].Conversions, out[i].Revenue = conversionsOf(c)
		delete(byKey, out[i].Key)
	}
	if limit == 0 { // keys with conversions but no click in the range
		for _, k := range slices.Sorted(maps.Keys(byKey)) {
			g := Group{Key: k}
			g.Conversions, g.Revenue = conversionsOf(byKey[k])
			out = append(out, g)
		}
	}
	return out, nil
}

func conversionsOf(c Count) (*uint64, *[]Money) {
	n, rev := c.N, c.Revenue
	if rev == nil {
		rev = []Money{}
	}
	return &n, &rev
}

// totals reads the numbers of the whole range.
func (s *stats) totals(ctx context.Context) (Numbers, error) {
	g, err := s.groups(ctx, "", KeyNone, 0)
	if err != nil || len(g) == 0 {
		zero, rev := uint64(0), []Money{}
		return Numbers{Conversions: &zero, Revenue: &rev}, err
	}
	return g[0].Numbers, nil
}

// series reads the totals per bucket, every bucket of the range present.
func (s *stats) series(ctx context.Context) ([]Point, error) {
	g, err := s.groups(ctx, "", KeyBucket, 0)
	if err != nil {
		return nil, err
	}
	byKey := map[string]Numbers{}
	for _, x := range g {
		byKey[x.Key] = x.Numbers
	}
	var out []Point
	for t := s.p.from; t.Before(s.p.to); t = next(t, s.p.interval, s.p.zone) {
		n, ok := byKey[bucketKey(t, s.p.interval, s.p.zone)]
		if !ok {
			zero, rev := uint64(0), []Money{}
			n = Numbers{Conversions: &zero, Revenue: &rev}
		}
		out = append(out, Point{Start: t.In(s.p.zone), Numbers: n})
	}
	return out, nil
}

// linkStats answers a link's stats.
func (s *stats) linkStats(ctx context.Context) (*LinkStats, error) {
	out := &LinkStats{LinkID: s.q.LinkID, Range: s.rangeOf(), GroupBy: s.p.groupBy}
	var err error
	if out.Totals, err = s.totals(ctx); err != nil {
		return nil, err
	}
	if out.Series, err = s.series(ctx); err != nil {
		return nil, err
	}
	if s.p.groupBy != "" {
		if out.Groups, err = s.groups(ctx, s.p.groupBy, KeyValue, 0); err != nil {
			return nil, err
		}
		slices.SortStableFunc(out.Groups, func(a, b Group) int { return cmpClicks(a, b) })
	}
	return out, nil
}

// workspaceStats answers a workspace's stats.
func (s *stats) workspaceStats(ctx context.Context) (*WorkspaceStats, error) {
	out := &WorkspaceStats{Range: s.rangeOf()}
	var err error
	if out.Totals, err = s.totals(ctx); err != nil {
		return nil, err
	}
	if out.Series, err = s.series(ctx); err != nil {
		return nil, err
	}
	if out.Links, err = s.groups(ctx, "", KeyLink, s.p.limit); err != nil {
		return nil, err
	}
	for _, t := range []struct {
		dim string
		dst *[]Group
	}{{"utm_campaign", &out.Campaigns}, {"country", &out.Countries}, {"device", &out.Devices}, {"referrer", &out.Referrers}} {
		if *t.dst, err = s.groups(ctx, t.dim, KeyValue, s.p.limit); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// cmpClicks orders groups by clicks, most first, then by key.
func cmpClicks(a, b Group) int {
	if a.Clicks != b.Clicks {
		if a.Clicks > b.Clicks {
			return -1
		}
		return 1
	}
	if a.Key < b.Key {
		return -1
	}
	if a.Key > b.Key {
		return 1
	}
	return 0
}
