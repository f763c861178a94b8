package linkapi

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// Rules a URL is refused under, in the "rule" member of a
// destination_refused error body (and of an invalid_field one for a URL
// field): internal/urlrule's, named here for the API's clients.
const (
	RuleSyntax                  = urlrule.RuleSyntax
	RuleScheme                  = urlrule.RuleScheme
	RuleCredentials             = urlrule.RuleCredentials
	RuleHost                    = urlrule.RuleHost
	RulePort                    = urlrule.RulePort
	RuleDenyList                = urlrule.RuleDenyList
	RuleNotInAllowList          = urlrule.RuleNotInAllowList
	RuleBlocklist               = urlrule.RuleBlocklist
	RulePrivateAddress          = urlrule.RulePrivateAddress
	RuleWorkspaceDenyList       = urlrule.RuleWorkspaceDenyList
	RuleWorkspaceNotInAllowList = urlrule.RuleWorkspaceNotInAllowList
	RuleUnresolvable            = urlrule.RuleUnresolvable
)

// DefaultResolveTimeout bounds one lookup of DestinationPolicy.Resolve.
const DefaultResolveTimeout = urlrule.DefaultResolveTimeout

// DestinationPolicy is the server's configuration of the one URL rule
// (internal/urlrule) for link destinations: its zero value is the secure
// default (http and https, no credentials, no host lists, no host that is
// or resolves to a non-public address). It only carries the operator's
// settings; urlrule.Policy.Check decides, with the workspace's own host
// lists added (CheckLink).
//
// The redirector never fetches a destination itself; the rule exists so
// that a short link on a brand's domain cannot point into a private network
// (intranet phishing, cloud metadata endpoints, link-preview fetchers and
// webhook receivers that follow it) nor to hosts the operator has banned.
// Checks run when a link is written: DNS can change afterwards, so
// anything that fetches destinations dials through netguard.Guard.
type DestinationPolicy struct {
	// AllowHosts, DenyHosts and Blocklist are urlrule.Policy's lists of
	// the same names: exact hosts or "*.suffix", normalized as hosts are.
	AllowHosts []string
	DenyHosts  []string
	Blocklist  []string
	// AllowPrivateDestinations turns off the private address rule, for
	// development and tests that redirect to local servers.
	AllowPrivateDestinations bool
	// Resolve looks up a host's addresses; nil means the system resolver.
	// A host that does not resolve is accepted (a browser fails on it too).
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// ResolveTimeout bounds one lookup; 0 means DefaultResolveTimeout.
	ResolveTimeout time.Duration
}

// DestinationError says why a URL was refused.
type DestinationError = urlrule.Error

// Validate reports every bad host pattern at once (urlrule.PatternProblem),
// naming each with prefix (for example "Destinations") and the list.
func (p *DestinationPolicy) Validate(prefix string) error {
	var errs []error
	for _, list := range []struct {
		name  string
		hosts []string
	}{{"AllowHosts", p.AllowHosts}, {"DenyHosts", p.DenyHosts}, {"Blocklist", p.Blocklist}} {
		for i, h := range list.hosts {
			if msg := urlrule.PatternProblem(h); msg != "" {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: %s", prefix, list.name, i, msg))
			}
		}
	}
	if p.ResolveTimeout < 0 {
		errs = append(errs, fmt.Errorf("%s.ResolveTimeout: must not be negative, got %v", prefix, p.ResolveTimeout))
	}
	return errors.Join(errs...)
}

// rule is the URL rule of the links of ws (nil: the server's lists only),
// prepared for the several URLs of a link or the links of a bulk job.
func (p *DestinationPolicy) rule(ws *tenancy.Workspace) urlrule.Policy {
	r := urlrule.Policy{AllowHosts: p.AllowHosts, DenyHosts: p.DenyHosts, Blocklist: p.Blocklist,
		AllowPrivate: p.AllowPrivateDestinations, Resolve: p.Resolve, ResolveTimeout: p.ResolveTimeout,
		MaxLen: redirect.MaxDestinationLen}
	if ws != nil {
		r.WorkspaceAllowHosts, r.WorkspaceDenyHosts = ws.DestinationAllowHosts, ws.DestinationDenyHosts
	}
	return r.Prepared()
}

// CheckLink checks every URL of l, a link of ws (nil: the server's lists
// only), and replaces each with the normalized form to store:
// destination_url, expired_url and the variants' as web URLs, the rules'
// as web URLs or app deep links. Each host is looked up at most once. It
// returns the first *DestinationError, or nil.
func (p *DestinationPolicy) CheckLink(ctx context.Context, l *redirect.Link, ws *tenancy.Workspace) error {
	r := p.rule(ws)
	return checkLinkURLs(ctx, &r, l)
}

// checkLinkURLs is CheckLink under the rule r. The rules and variants are
// copied before a URL in them changes, so a link that shares them (the old
// version of an update) keeps its own.
func checkLinkURLs(ctx context.Context, r *urlrule.Policy, l *redirect.Link) error {
	resolved := map[string][]netip.Addr{}
	check := func(field string, u *string, kind urlrule.Kind) (bool, error) {
		n, err := r.CheckCached(ctx, field, *u, kind, resolved)
		if err != nil || n == *u {
			return false, err
		}
		*u = n
		return true, nil
	}
	if _, err := check("destination_url", &l.DestinationURL, urlrule.Web); err != nil {
		return err
	}
	if l.ExpiredURL != "" {
		if _, err := check("expired_url", &l.ExpiredURL, urlrule.Web); err != nil {
			return err
		}
	}
	for i, copied := 0, false; i < len(l.Rules); i++ {
		u := l.Rules[i].DestinationURL
		changed, err := check("rules["+strconv.Itoa(i)+"].destination_url", &u, urlrule.WebOrApp)
		if err != nil {
			return err
		}
		if changed {
			if !copied {
				l.Rules, copied = slices.Clone(l.Rules), true
			}
			l.Rules[i].DestinationURL = u
		}
	}
	for i, copied := 0, false; i < len(l.Variants); i++ {
		u := l.Variants[i].DestinationURL
		changed, err := check("variants["+strconv.Itoa(i)+"].destination_url", &u, urlrule.Web)
		if err != nil {
			return err
		}
		if changed {
			if !copied {
				l.Variants, copied = slices.Clone(l.Variants), true
			}
			l.Variants[i].DestinationURL = u
		}
	}
	return nil
}
