package linkapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// Rules a DestinationPolicy refuses a destination under, in
// DestinationError.Rule and in the "rule" member of a destination_refused
// error body.
const (
	RuleScheme         = "scheme"            // not http or https
	RuleCredentials    = "credentials"       // user:password@ in the URL
	RuleDenyList       = "deny_list"         // host matches DestinationPolicy.DenyHosts
	RuleNotInAllowList = "not_in_allow_list" // DestinationPolicy.AllowHosts is set and the host matches none
	RuleBlocklist      = "blocklist"         // host matches DestinationPolicy.Blocklist
	RulePrivateAddress = "private_address"   // host is, or resolves to, a non-public address
	// RuleWorkspaceDenyList and RuleWorkspaceNotInAllowList are the
	// workspace's own lists (Workspace.DestinationDenyHosts and
	// DestinationAllowHosts), checked after the server's policy.
	RuleWorkspaceDenyList       = "workspace_deny_list"
	RuleWorkspaceNotInAllowList = "workspace_not_in_allow_list"
)

// DefaultResolveTimeout bounds one lookup of DestinationPolicy.Resolve.
const DefaultResolveTimeout = 2 * time.Second

// DestinationPolicy decides which destinations a link may send visitors to.
// Its zero value is the secure default: http and https only, no
// credentials, no host lists, and no host that is or resolves to a
// non-public address.
//
// The redirector never fetches a destination itself; the policy exists so
// that a short link on a brand's domain cannot point into a private network
// (intranet phishing, cloud metadata endpoints, link-preview fetchers and
// webhook receivers that follow it) nor to hosts the operator has banned.
//
// Checks run when a link is written. DNS can change afterwards (a host that
// resolved to a public address may later resolve to a private one), so the
// resolution check is a guard against mistakes and casual abuse, not a
// guarantee; anything that fetches destinations must check again at fetch
// time.
type DestinationPolicy struct {
	// AllowHosts, when not empty, is the only hosts destinations may have.
	// Each entry is an exact host ("shop.example.com") or "*.suffix"
	// ("*.example.com"), which matches every host under suffix but not
	// suffix itself. Matching ignores case and a trailing dot.
	AllowHosts []string
	// DenyHosts are hosts destinations may not have (same matching).
	DenyHosts []string
	// Blocklist are known-bad hosts, typically loaded from a threat feed
	// (same matching). It is kept apart from DenyHosts so that the feed can
	// be replaced without touching the operator's own list, and so the
	// refusal names which list matched.
	Blocklist []string
	// AllowPrivateDestinations turns off the private address rule, for
	// development and tests that redirect to local servers.
	AllowPrivateDestinations bool
	// Resolve looks up a host's addresses; nil means net.DefaultResolver.
	// A lookup error is taken as "does not resolve": the host cannot be
	// shown to be private, and a visitor's browser will fail on it too, so
	// it is accepted. A host with any private address is refused.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// ResolveTimeout bounds one lookup; 0 means DefaultResolveTimeout.
	ResolveTimeout time.Duration

	// workspace marks a workspace's own host lists (workspacePolicy):
	// their refusals name the workspace rules and lists.
	workspace bool
}

// DestinationError says why a DestinationPolicy refused a destination.
type DestinationError struct {
	Field   string // JSON name of the field, e.g. "destination_url", "variants[1].destination_url"
	Rule    string // one of the Rule* constants
	Message string
}

func (e *DestinationError) Error() string {
	return "field " + e.Field + ": destination refused (" + e.Rule + "): " + e.Message
}

// Validate reports every bad host pattern at once, naming each with prefix
// (for example "Destinations") and the list.
func (p *DestinationPolicy) Validate(prefix string) error {
	var errs []error
	for _, list := range []struct {
		name  string
		hosts []string
	}{{"AllowHosts", p.AllowHosts}, {"DenyHosts", p.DenyHosts}, {"Blocklist", p.Blocklist}} {
		for i, h := range list.hosts {
			if msg := tenancy.HostPatternProblem(h); msg != "" {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: %s", prefix, list.name, i, msg))
			}
		}
	}
	if p.ResolveTimeout < 0 {
		errs = append(errs, fmt.Errorf("%s.ResolveTimeout: must not be negative, got %v", prefix, p.ResolveTimeout))
	}
	return errors.Join(errs...)
}

// CheckLink checks every destination of l: destination_url, expired_url,
// the rules' destinations that are http(s) (deep links to apps are not
// fetched over the network and are checked by Link.Validate alone) and the
// variants'. Each host is looked up at most once. It returns the first
// *DestinationError, or nil.
func (p *DestinationPolicy) CheckLink(ctx context.Context, l *redirect.Link) error {
	resolved := map[string][]netip.Addr{}
	if err := p.check(ctx, "destination_url", l.DestinationURL, resolved); err != nil {
		return err
	}
	if l.ExpiredURL != "" {
		if err := p.check(ctx, "expired_url", l.ExpiredURL, resolved); err != nil {
			return err
		}
	}
	for i, r := range l.Rules {
		if u, err := url.Parse(r.DestinationURL); err == nil && u.Scheme != "http" && u.Scheme != "https" {
			continue
		}
		if err := p.check(ctx, fmt.Sprintf("rules[%d].destination_url", i), r.DestinationURL, resolved); err != nil {
			return err
		}
	}
	for i, v := range l.Variants {
		if err := p.check(ctx, fmt.Sprintf("variants[%d].destination_url", i), v.DestinationURL, resolved); err != nil {
			return err
		}
	}
	return nil
}

// check checks one destination URL, reported as field, with a cache of
// lookups by host (nil for none). The rules run in the order scheme,
// credentials, blocklist, deny_list, not_in_allow_list, private_address;
// it returns a *DestinationError for the first that refuses, or nil. Only
// the private address rule may look the host up, and only when the host is
// not an IP address. It is safe for concurrent use (without a cache).
func (p *DestinationPolicy) check(ctx context.Context, field, raw string, resolved map[string][]netip.Addr) error {
	refuse := func(rule, format string, args ...any) error {
		return &DestinationError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return refuse(RuleScheme, "not a URL")
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return refuse(RuleScheme, "scheme must be http or https")
	}
	if u.User != nil {
		return refuse(RuleCredentials, "must not contain user info (user:password@)")
	}
	host := normalizeHost(u.Hostname())
	if host == "" {
		return refuse(RuleScheme, "must be an absolute URL with a host")
	}
	switch {
	case matchHost(p.Blocklist, host):
		return refuse(RuleBlocklist, "host %s is on the blocklist", host)
	case matchHost(p.DenyHosts, host):
		if p.workspace {
			return refuse(RuleWorkspaceDenyList, "host %s is on the workspace's deny list", host)
		}
		return refuse(RuleDenyList, "host %s is on the deny list", host)
	case len(p.AllowHosts) > 0 && !matchHost(p.AllowHosts, host):
		if p.workspace {
			return refuse(RuleWorkspaceNotInAllowList, "host %s is not on the workspace's allow list", host)
		}
		return refuse(RuleNotInAllowList, "host %s is not on the allow list", host)
	}
	if p.AllowPrivateDestinations {
		return nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") { // RFC 6761: always loopback
		return refuse(RulePrivateAddress, "host %s is loopback", host)
	}
	if addr, literal, ok := parseHostIP(host); literal {
		if !ok {
			return refuse(RulePrivateAddress, "host %.60q looks like an IP address but is not a valid one", host)
		}
		if nonPublic(addr) {
			return refuse(RulePrivateAddress, "host %s is a non-public address", host)
		}
		return nil
	}
	addrs, ok := resolved[host]
	if !ok {
		addrs = p.lookup(ctx, host)
		if resolved != nil {
			resolved[host] = addrs
		}
	}
	for _, a := range addrs {
		if nonPublic(a) {
			return refuse(RulePrivateAddress, "host %s resolves to the non-public address %s", host, a)
		}
	}
	return nil
}

// lookup resolves host, treating every lookup error as no addresses (see
// DestinationPolicy.Resolve).
func (p *DestinationPolicy) lookup(ctx context.Context, host string) []netip.Addr {
	timeout := p.ResolveTimeout
	if timeout == 0 {
		timeout = DefaultResolveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resolve := p.Resolve
	if resolve == nil {
		resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	addrs, err := resolve(ctx, host)
	if err != nil {
		return nil
	}
	return addrs
}

// normalizeHost lower-cases host and drops one trailing dot, so that
// "Evil.COM." matches a list entry "evil.com".
func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// matchHost reports whether host (normalized) matches a pattern of list.
func matchHost(list []string, host string) bool {
	return slices.ContainsFunc(list, func(pat string) bool {
		pat = normalizeHost(pat)
		if suffix, ok := strings.CutPrefix(pat, "*."); ok {
			return strings.HasSuffix(host, "."+suffix)
		}
		return host == pat
	})
}

// workspacePolicy is w's own destination rules as a DestinationPolicy that
// checks host lists only (the server's policy checks the rest).
func workspacePolicy(w *tenancy.Workspace) *DestinationPolicy {
	if len(w.DestinationAllowHosts) == 0 && len(w.DestinationDenyHosts) == 0 {
		return nil
	}
	return &DestinationPolicy{AllowHosts: w.DestinationAllowHosts, DenyHosts: w.DestinationDenyHosts,
		AllowPrivateDestinations: true, workspace: true}
}
