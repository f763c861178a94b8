// Package statsview renders the stats API's answers (client.LinkStats,
// client.WorkspaceStats) for people and spreadsheets: aligned text tables
// with thousands separators, and CSV with a header row. `clicktrail stats`
// uses it; JSON output is the server's own bytes and does not pass here.
// Fetching the answers is the client package's job.
package statsview
