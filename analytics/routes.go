package analytics

import "net/http"

// Route documents one operation of the stats API for the OpenAPI document
// (internal/app turns them into the link API's MountedRoutes).
type Route struct {
	Method, Pattern, Summary string
	Response                 any
	Errors                   []int
	Query                    []QueryParam
}

// QueryParam documents a query parameter.
type QueryParam struct{ Name, Type, Description string }

var commonQuery = []QueryParam{
	{"from", "string", "Start, RFC 3339 or a date (the zone's midnight); default 30 days before to. Widened to the start of its interval."},
	{"to", "string", "End (exclusive), RFC 3339 or a date; default now. Widened to the end of its interval."},
	{"interval", "string", "Series buckets: hour (at most 31 days), day (default), week (from Monday) or month."},
	{"tz", "string", "IANA zone whose days, weeks and months the buckets are (default UTC). Zones whose offset is not a whole hour are cut at the hour."},
	{"bots", "string", "exclude (default), include or only. Internal clicks never count."},
}

// Routes are the stats API's operations.
func Routes() []Route {
	errs := []int{http.StatusBadRequest, http.StatusNotFound}
	return []Route{
		{Method: "GET", Pattern: "/v1/links/{id}/stats", Summary: "A link's clicks, unique visitors, conversions and revenue, over time and grouped by a dimension; exact, from the rollups",
			Response: LinkStats{}, Errors: errs,
			Query: append(commonQuery[:len(commonQuery):len(commonQuery)], QueryParam{"group_by", "string", "country, device, os, browser, referrer, utm_source, utm_medium, utm_campaign, variant or rule (conversions are not known by os and browser)."})},
		{Method: "GET", Pattern: "/v1/stats", Summary: "The workspace's totals, series, and top links, campaigns, countries, devices and referrers",
			Response: WorkspaceStats{}, Errors: []int{http.StatusBadRequest},
			Query: append(commonQuery[:len(commonQuery):len(commonQuery)], QueryParam{"limit", "integer", "Entries of each top list, 1-100 (default 10)."})},
	}
}
