// Package keyclient lets a service that is not the link API accept the
// link API's own API keys: it asks the link API who a bearer key is
// (GET /v1/keys/self with that key), caches the answer for a short time per
// key hash, and guards an http.Handler with it, so each request acts in its
// key's workspace and needs the key to hold a scope.
//
// It is a client of the link API's key registry, not a key store: keys are
// created, hashed and revoked by the link API (package redirect), which
// stays the one authority; a revoked key keeps working here for at most
// Config.TTL. Unknown keys are never cached.
//
// Where it is used: the webhook sink's endpoint API (clicktrail sink
// webhook --link-api-url), wired by internal/app. The principal and the
// scope names are the link API's (linkapi.Principal, tenancy.Scope*).
package keyclient
