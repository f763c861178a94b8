package linkapi

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/clicktrail/clicktrail/internal/anonip"
	"github.com/clicktrail/clicktrail/linkapi/audit"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
)

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
	_, admin := slices.BinarySearch(p.Scopes, tenancy.ScopeAdmin)
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

// remoteHost is the network the request came from, truncated (IPv4 /24,
// IPv6 /48): callers' addresses are kept in the audit log and in bulk-job
// records, and a full address there would be personal data kept for as
// long as the log is (see package anonip).
func remoteHost(r *http.Request) string { return anonip.TruncateHost(r.RemoteAddr) }

// newAuditRecord is the record of a change made by p at at in workspace,
// with a new id.
func newAuditRecord(p *Principal, at time.Time, workspace, action, targetType, targetID string, changes []string) *audit.Record {
	return &audit.Record{ID: audit.NewID(), At: at, WorkspaceID: workspace, KeyID: p.KeyID, RemoteAddr: p.RemoteAddr,
		Action: action, TargetType: targetType, TargetID: targetID, Changes: changes}
}
