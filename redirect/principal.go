package redirect

import (
	"context"
	"net"
	"net/http"
	"slices"
)

// Scopes an API key may carry. Every route of the link API names the scope
// it needs (see apiRoutes); a key without it gets 403 missing_scope.
const (
	ScopeLinksRead     = "links:read"     // GET links, jobs and QR codes
	ScopeLinksWrite    = "links:write"    // create, update, delete links; bulk jobs
	ScopeDomainsRead   = "domains:read"   // list the workspace's branded domains
	ScopeDomainsWrite  = "domains:write"  // add and remove branded domains
	ScopeKeysRead      = "keys:read"      // list the workspace's API keys (never their secrets)
	ScopeKeysWrite     = "keys:write"     // create and revoke API keys of the workspace
	ScopeWebhooksRead  = "webhooks:read"  // list webhook endpoints and deliveries
	ScopeWebhooksWrite = "webhooks:write" // manage webhook endpoints, replay
	ScopeAnalyticsRead = "analytics:read" // read click analytics
	// ScopeConversionsWrite reports conversions (POST /v1/conversions):
	// the scope of a key a shop or CRM holds, which needs nothing else.
	ScopeConversionsWrite = "conversions:write"
	ScopeAuditRead        = "audit:read"     // read the workspace's audit log
	ScopeWorkspaceRead    = "workspace:read" // read the workspace's settings
	// ScopeWorkspaceWrite changes the workspace's settings (its
	// destination host lists).
	ScopeWorkspaceWrite = "workspace:write"
	// ScopeAdmin is held only by the bootstrap keys of APIConfig.APIKeys: it
	// creates workspaces and keys in any workspace. A stored key never
	// holds it.
	ScopeAdmin = "admin"
)

// KeyScopes are the scopes a created API key may be given.
var KeyScopes = []string{
	ScopeAnalyticsRead, ScopeAuditRead, ScopeConversionsWrite, ScopeDomainsRead, ScopeDomainsWrite, ScopeKeysRead,
	ScopeKeysWrite, ScopeLinksRead, ScopeLinksWrite, ScopeWebhooksRead, ScopeWebhooksWrite,
	ScopeWorkspaceRead, ScopeWorkspaceWrite,
}

// Principal is who a request of the link API acts as: one API key of one
// workspace, and what it may do. Handlers mounted with APIConfig.Mount
// find it with PrincipalFrom.
type Principal struct {
	WorkspaceID string
	// KeyID names the key in audit records: "key_..." for a created key,
	// "bootstrap_<n>" for the n-th key of APIConfig.APIKeys.
	KeyID  string
	Scopes []string // sorted
	// RemoteAddr is the address the request came from (host only), for
	// the audit log.
	RemoteAddr string
}

// Has reports whether the principal holds scope. The admin scope implies
// every other.
func (p *Principal) Has(scope string) bool {
	_, found := slices.BinarySearch(p.Scopes, scope)
	if found {
		return true
	}
	_, admin := slices.BinarySearch(p.Scopes, ScopeAdmin)
	return admin
}

type principalKey struct{}

// PrincipalFrom returns the principal an authenticated request of the link
// API acts as.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

func withPrincipal(r *http.Request, p *Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// principal returns the request's principal. Every route behind guard has
// one; a request without one (a bug) acts as nobody in an empty workspace.
func principal(r *http.Request) *Principal { return principalOf(r.Context()) }

// principalOf is principal for code that has only the context.
func principalOf(ctx context.Context) *Principal {
	if p, ok := PrincipalFrom(ctx); ok {
		return p
	}
	return &Principal{WorkspaceID: "\x00none"}
}

func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
