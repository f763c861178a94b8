// Package analytics is the stats API: GET /v1/links/{id}/stats (a link's
// clicks, unique visitors, conversions and revenue over time and by
// dimension) and GET /v1/stats (a workspace's totals, series and top links,
// campaigns, countries, devices and referrers).
//
// It validates the query parameters (a bad one is a 400 naming it, in the
// link API's error shape), checks the link belongs to the caller's
// workspace (another workspace's link is a 404), and reads numbers through
// a Reader: analytics/clickhouse reads the rollups of schemas/clickhouse
// (docs/adr/008-exact-rollups.md). The handlers are mounted on the link
// API by internal/app (Mounts), behind its bearer-key authentication, with
// the analytics:read scope; the package imports nothing of linkapi: the
// caller's workspace comes from Config.Workspace.
package analytics
