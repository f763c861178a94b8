// Package dashboard is the analytics dashboard served by the link API's
// listener at /dashboard: a person signs in with an API key of a workspace
// that holds analytics:read, and sees the workspace's clicks over time, top
// links, campaigns, countries, devices, referrers, conversions and revenue
// over a date range, and each link's own page.
//
// Sign-in is a form POST. The key is checked by the link API itself
// (Config.Keys, which internal/app answers with an in-process GET
// /v1/keys/self) and then forgotten: the browser gets a random session id
// in an HttpOnly, SameSite=Strict cookie (Secure unless
// Config.InsecureCookie, which only dev sets), and the server keeps the
// session, keyed by the SHA-256 of that id, in memory (ADR 007: no secret
// at rest; a restart signs everyone out). Each request of the dashboard's
// data asks Config.Keys whether the key is still active, so revoking a key
// ends its sessions. Sign-out is a POST carrying the session's CSRF token.
//
// The page is html/template, and its assets (one CSS and one JS file) are
// embedded in the binary; there is nothing to build. The script writes
// every value with textContent and builds its chart as SVG elements: link
// paths, UTM values and referrers are whatever the clicks carried. Every
// answer has a strict Content-Security-Policy (no inline script or style,
// frame-ancestors 'none') and X-Content-Type-Options: nosniff.
//
// The numbers are the stats API's (package analytics), served to the page
// under /dashboard/api/ in the session's workspace. internal/app mounts the
// dashboard beside the stats API (analytics.go); the browser test is
// browser_integration_test.go.
package dashboard
