// Package tenancy keeps who may use the link API: workspaces (tenants and
// their destination host lists), API keys (stored as a SHA-256 of the
// secret, never the secret, with their scopes) and the branded domains a
// workspace registered. The records are JSON under "w/", "ak/" and "d/" keys
// of the link store's pebble database (redirect.Store.DB), as they always
// were.
//
// It is used by linkapi (authentication, the /v1/workspaces, /v1/keys and
// /v1/domains handlers, domain checks of creates) and by internal/app (the
// key check of mounted handlers, the destination checker's workspace list).
// The HTTP side (who is calling: linkapi.Principal) and the destination
// policy are in linkapi; links are in redirect.
package tenancy
