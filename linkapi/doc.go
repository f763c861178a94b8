// Package linkapi is the authenticated JSON link API: routes and handlers
// for links (/v1/links), workspaces, API keys, branded domains, UTM
// templates, the audit log, QR codes and conversions, with bearer-key
// authentication, per-key rate limits, Idempotency-Key replays, the
// destination policy and the OpenAPI document generated from the same
// route table that registers the handlers.
//
// It sits above the link store: NewAPI takes a *redirect.Store and creates
// links through it, so every check of the store (unique paths and external
// ids, durable before an answer) holds for the API too. internal/app
// mounts the handler and wires OnLinkEvent to the links topic.
//
// Bulk jobs (/v1/links/bulk, /v1/jobs) are linkapi/bulk's, which imports
// this package and never the reverse: its routes are served through
// APIConfig.Routes (a Route is registered, guarded, wrapped by the
// Idempotency-Key protocol and documented like the API's own, so the
// OpenAPI document lists them), and its runner creates links through
// Creator, the create path of POST /v1/links (decoding with the
// workspace's domains and templates, read through the job's Lookups; the
// destination rule; the answers for what the store refuses).
//
// What lives elsewhere: the link model, the store and the redirector are
// redirect/ (which never imports this package); the API's records live in
// the store's pebble database under their own key prefixes, each kept by a
// package of its own: linkapi/tenancy (workspaces, hashed API keys,
// domains, scopes), linkapi/audit (the audit log), linkapi/templates (UTM
// templates and {{placeholder}} filling) and linkapi/idempotency (stored
// answers of Idempotency-Key requests). QR rendering is redirect/qr.
//
// # Link lifecycle
//
// POST /v1/links creates (link.created); PATCH /v1/links/{id} applies a
// JSON merge patch (RFC 7396: an absent member is unchanged, null clears
// it, utm and metadata merge member by member, arrays are replaced; path and
// domain cannot change) and emits link.updated, or link.disabled when it
// sets "disabled": true; DELETE /v1/links/{id} disables the link for good
// (DeletedAt set, link.deleted): it answers 404 at the redirector, keeps
// its path reserved, is still returned by GET and refuses further changes
// with 409 link_deleted. GET /v1/links lists in id order with filters and
// an opaque cursor (see redirect.Store.List for the cost). PUT
// /v1/links/external/{external_id} upserts by a link's ExternalID, unique
// per workspace. Mutating calls take an Idempotency-Key (see
// idempotent.go); answers are kept under "k/" keys of the same pebble store
// for idempotency.TTL.
package linkapi
