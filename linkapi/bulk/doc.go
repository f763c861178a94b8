// Package bulk is the link API's bulk link jobs: POST /v1/links/bulk stores
// a job of up to MaxBulkItems link bodies durably and answers 202; a Runner
// creates the links in the background; GET /v1/jobs/{id} and
// /v1/jobs/{id}/items report; a signed callback (Standard Webhooks) and
// OnJobEvent announce the end.
//
// It is used by internal/app, which builds the Runner with NewRunner and
// serves Routes as part of the link API (linkapi.APIConfig.Routes), both
// from the link API's configuration: every item goes through the create
// path of POST /v1/links (linkapi.Creator) and reports link.created like
// it.
//
// What it holds: the job routes (routes.go), the job store in the link
// store's pebble database under "j/", "jb/", "ji/" and "jk/" (job.go,
// store.go), the runner and its chunked, batched rounds (runner.go,
// chunk.go), the bulk body scanner and item idempotency keys (decode.go,
// scan.go, itemkey.go), the per-job memos of workspace records and DNS
// answers (memo.go, resolve.go), the append encoders of its records
// (encode.go), link events (emit.go) and callbacks (callback.go).
//
// What lives elsewhere: the API's routes, authentication, rate limits,
// Idempotency-Key protocol and OpenAPI document are linkapi's; links and
// their store are redirect's; audit records are linkapi/audit's.
package bulk
