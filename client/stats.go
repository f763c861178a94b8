package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// StatsQuery is the query of the stats API; empty members are left to the
// server's defaults (the last 30 days by day in UTC, bots excluded).
type StatsQuery struct {
	From, To string // RFC 3339 or a date (2026-03-01)
	Interval string // hour, day, week or month
	TZ       string // IANA zone (Europe/Berlin)
	Bots     string // exclude, include or only
	GroupBy  string // a link's stats only: country, device, os, browser, referrer, utm_*, variant, rule
	Limit    int    // the workspace's stats only: entries of each top list (0: the server's 10)
}

func (q StatsQuery) values() url.Values {
	v := url.Values{}
	for name, s := range map[string]string{"from": q.From, "to": q.To, "interval": q.Interval, "tz": q.TZ, "bots": q.Bots, "group_by": q.GroupBy} {
		if s != "" {
			v.Set(name, s)
		}
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// Money is an amount in minor units of a currency (cents for EUR).
type Money struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

// StatsNumbers are the counts of one bucket, group or link. Conversions
// and Revenue are nil for groups by os and browser, which conversions do
// not carry.
type StatsNumbers struct {
	Clicks      uint64   `json:"clicks"`
	Visitors    uint64   `json:"visitors"`
	Conversions *uint64  `json:"conversions,omitempty"`
	Revenue     *[]Money `json:"revenue,omitempty"`
}

// StatsPoint is one bucket of a series; Start is its first instant.
type StatsPoint struct {
	Start time.Time `json:"start"`
	StatsNumbers
}

// StatsGroup is the numbers of one key (a dimension's value or a link id).
type StatsGroup struct {
	Key string `json:"key"`
	StatsNumbers
}

// StatsRange is the range a stats answer covers, widened to whole buckets.
type StatsRange struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Interval string    `json:"interval"`
	TZ       string    `json:"tz"`
	Bots     string    `json:"bots"`
}

// LinkStats is the answer of GET /v1/links/{id}/stats.
type LinkStats struct {
	LinkID string `json:"link_id"`
	StatsRange
	Totals  StatsNumbers `json:"totals"`
	Series  []StatsPoint `json:"series"`
	GroupBy string       `json:"group_by,omitempty"`
	Groups  []StatsGroup `json:"groups,omitempty"`
}

// WorkspaceStats is the answer of GET /v1/stats.
type WorkspaceStats struct {
	StatsRange
	Totals    StatsNumbers `json:"totals"`
	Series    []StatsPoint `json:"series"`
	Links     []StatsGroup `json:"links"`
	Campaigns []StatsGroup `json:"campaigns"`
	Countries []StatsGroup `json:"countries"`
	Devices   []StatsGroup `json:"devices"`
	Referrers []StatsGroup `json:"referrers"`
}

// LinkStats returns a link's clicks, visitors, conversions and revenue over
// time, grouped by q.GroupBy when set. A bad parameter is an *Error with
// status 400 whose Field names it; another workspace's link is a 404.
func (c *Client) LinkStats(ctx context.Context, id string, q StatsQuery, opts ...CallOption) (*LinkStats, error) {
	var s LinkStats
	return &s, c.do(ctx, http.MethodGet, withQuery("/v1/links/"+escape(id)+"/stats", q.values()), nil, &s, opts)
}

// WorkspaceStats returns the workspace's totals, series and top links,
// campaigns, countries, devices and referrers.
func (c *Client) WorkspaceStats(ctx context.Context, q StatsQuery, opts ...CallOption) (*WorkspaceStats, error) {
	var s WorkspaceStats
	return &s, c.do(ctx, http.MethodGet, withQuery("/v1/stats", q.values()), nil, &s, opts)
}
