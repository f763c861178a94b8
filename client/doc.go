// Package client is the Go client of clicktrail's HTTP link API: links
// (create, get, list, update, delete, upsert by external id, QR codes),
// bulk jobs, workspaces, API keys and domains, conversions, and the webhook
// endpoint API (endpoints, deliveries, replay) that the link API mounts in
// `clicktrail dev` and that `clicktrail sink webhook --api-addr` serves.
//
// Every method takes a context, sends "Authorization: Bearer <key>" and
// returns the answer decoded into this package's types. A non-2xx answer
// is an *Error carrying the HTTP status and the API's JSON error body
// ({"error":{"code","field","message",...}}); branch on it with errors.As.
// Mutating calls accept IdempotencyKey, and RawBody hands back the answer's
// bytes exactly as the server sent them (the CLI prints those).
//
// Users: the CLI (cmd/clicktrail), the bench programs (bench/cmd/...) and
// the end-to-end tests (e2e). The types here are the wire format as a
// client sees it; they are declared here rather than imported from the
// server packages so that a client does not link the server, and a field
// the server adds is simply ignored until this package learns it. Records
// that schemas defines (the link record, UTM, rules, variants) are used from
// there: schemas imports nothing of the project, so a client links no
// server code through it. The
// OpenAPI document (GET /v1/openapi.json) is the reference for every field.
package client
