package tenancy

// Scopes an API key may carry. Every route of the link API names the scope
// it needs (see linkapi's routes); a key without it gets 403 missing_scope.
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
	// ScopeIntegrationsRead lists CRM integrations (never their
	// credentials); ScopeIntegrationsWrite connects, changes and removes
	// them.
	ScopeIntegrationsRead  = "integrations:read"
	ScopeIntegrationsWrite = "integrations:write"
	// ScopeConversionsWrite reports conversions (POST /v1/conversions):
	// the scope of a key a shop or CRM holds, which needs nothing else.
	ScopeConversionsWrite = "conversions:write"
	ScopeAuditRead        = "audit:read"     // read the workspace's audit log
	ScopeWorkspaceRead    = "workspace:read" // read the workspace's settings
	// ScopeWorkspaceWrite changes the workspace's settings (its
	// destination host lists).
	ScopeWorkspaceWrite = "workspace:write"
	// ScopeAdmin is held only by the bootstrap keys of linkapi.APIConfig.APIKeys: it
	// creates workspaces and keys in any workspace. A stored key never
	// holds it.
	ScopeAdmin = "admin"
)

// KeyScopes are the scopes a created API key may be given.
var KeyScopes = []string{
	ScopeAnalyticsRead, ScopeAuditRead, ScopeConversionsWrite, ScopeDomainsRead, ScopeDomainsWrite,
	ScopeIntegrationsRead, ScopeIntegrationsWrite, ScopeKeysRead, ScopeKeysWrite, ScopeLinksRead, ScopeLinksWrite, ScopeWebhooksRead, ScopeWebhooksWrite,
	ScopeWorkspaceRead, ScopeWorkspaceWrite,
}
