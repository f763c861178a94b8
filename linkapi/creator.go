package linkapi

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// Creator is the create path of POST /v1/links for a caller that stores
// the links in batches of its own (linkapi/bulk, whose batches also carry
// its job's records): the same decoding with the workspace's domains and
// templates, the same destination rule, the same answers for what the
// store refuses, and the same link.created reports (APIConfig.OnLinkEvent,
// OnLinkEvents, which the caller calls itself). It is safe for concurrent
// use.
type Creator struct{ a *api }

// NewCreator returns the create path of the link API configured by cfg.
func NewCreator(cfg APIConfig) (*Creator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("link api config: %w", err)
	}
	return &Creator{newAPI(cfg.withDefaults())}, nil
}

// NewLink is a decoded create body: a complete, valid link with a new id,
// not yet checked against the destination rule nor stored.
type NewLink struct {
	Link *redirect.Link
	// Generated is true when the path was generated at random.
	Generated bool
	// OnConflict is the body's on_conflict: OnConflictError,
	// OnConflictSuffix, or "" for the caller's default.
	OnConflict string
}

// PathAttempts is how many paths a create of n may try before path_taken
// stands: a few random paths for a generated one, many free suffixes with
// OnConflictSuffix, else the one asked for.
func (n *NewLink) PathAttempts() int {
	switch {
	case n.Generated:
		return maxPathAttempts
	case n.OnConflict == OnConflictSuffix:
		return maxSuffixAttempts
	}
	return 1
}

// Decode decodes a POST /v1/links body as a link of workspace, checking
// that the workspace may use its domain and applying its template; the
// workspace's records are read through the Lookups of ctx, if any
// (WithLookups). It answers what POST /v1/links would for a bad body.
func (c *Creator) Decode(ctx context.Context, workspace string, body []byte) (NewLink, *APIError) {
	d, aerr := c.a.decodeCreateIn(ctx, workspace, body)
	return NewLink{Link: d.link, Generated: d.generated, OnConflict: d.onConflict}, aerr
}

// LinkRule is the destination rule of one workspace's links, prepared
// once for many links (a bulk job's).
type LinkRule struct {
	a    *api
	rule urlrule.Policy
}

// LinkRule returns the rule of workspace's links: the server's
// DestinationPolicy, looking hosts up with resolve instead of its Resolve
// when resolve is not nil, with the workspace's host lists as they are now.
func (c *Creator) LinkRule(ctx context.Context, workspace string, resolve func(context.Context, string) ([]netip.Addr, error)) (*LinkRule, error) {
	ws, err := c.a.tenants.GetWorkspace(ctx, workspace)
	if err != nil {
		return nil, err
	}
	policy := c.a.cfg.Destinations
	if resolve != nil {
		policy.Resolve = resolve
	}
	return &LinkRule{a: c.a, rule: policy.rule(ws)}, nil
}

// Check checks every URL of l, leaving their normalized forms in l, and
// answers as POST /v1/links does for a refused one.
func (r *LinkRule) Check(ctx context.Context, l *redirect.Link) *APIError {
	return r.a.destinationAnswer(checkLinkURLs(ctx, &r.rule, l))
}

// CreateError is the answer of POST /v1/links when storing l failed with
// err (nil for nil): path_taken (naming the holder only when it is l's
// workspace's), external_id_taken, a field's 400, or a logged 500.
func (c *Creator) CreateError(err error, l *redirect.Link) *APIError { return c.a.storeError(err, l) }

// Internal logs err as the link API logs a failure while doing, and
// returns its 500 answer.
func (c *Creator) Internal(doing string, err error) *APIError { return c.a.internal(doing, err) }

// ShortURL is the short_url of domain/path as the link API shows it.
func (c *Creator) ShortURL(domain, path string) string { return c.a.shortURL(domain, path) }

// Lookups answers the reads of workspace records a create makes: a UTM
// template by workspace and name (templates.ErrNotFound when there is
// none) and a registered domain (tenancy.ErrDomainNotFound). A caller that
// creates many links of one workspace passes one that remembers the
// answers (linkapi/bulk's job memo) in the context of Creator.Decode;
// without one the stores are read.
type Lookups interface {
	Template(ctx context.Context, workspace, name string) (*templates.Template, error)
	Domain(ctx context.Context, domain string) (*tenancy.Domain, error)
}

type lookupsKey struct{}

// WithLookups returns ctx whose creates read workspace records through l.
func WithLookups(ctx context.Context, l Lookups) context.Context {
	return context.WithValue(ctx, lookupsKey{}, l)
}

// lookupTemplate reads a template through the Lookups of ctx, else the store.
// The template returned may be shared: do not modify it.
func (a *api) lookupTemplate(ctx context.Context, workspace, name string) (*templates.Template, error) {
	if l, ok := ctx.Value(lookupsKey{}).(Lookups); ok {
		return l.Template(ctx, workspace, name)
	}
	return a.templates.Get(ctx, workspace, name)
}

// lookupDomain reads a domain through the Lookups of ctx, else the store.
// The domain returned may be shared: do not modify it.
func (a *api) lookupDomain(ctx context.Context, domain string) (*tenancy.Domain, error) {
	if l, ok := ctx.Value(lookupsKey{}).(Lookups); ok {
		return l.Domain(ctx, domain)
	}
	return a.tenants.GetDomain(ctx, domain)
}
