package urlrule

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/internal/netguard"
)

// DefaultResolveTimeout bounds one lookup of Policy.Resolve.
const DefaultResolveTimeout = 2 * time.Second

// Policy decides which URLs a field may hold. Its zero value is the secure
// default: http and https only, no credentials, no host lists, and no host
// that is or resolves to a non-public address; a host that does not
// resolve is accepted (a browser will fail on it too).
//
// Check runs when a URL is written. DNS can change afterwards, so the
// resolution check is a guard against mistakes and casual abuse, not a
// guarantee: whatever connects to the host dials through netguard.Guard.
type Policy struct {
	// AllowHosts, when not empty, is the only hosts URLs may have. Each
	// entry is an exact host ("shop.example.com") or "*.suffix"
	// ("*.example.com"), which matches every host under suffix but not
	// suffix itself. Entries are normalized as hosts are (case, trailing
	// dot, UTS-46), so "ＥＶＩＬ.com" and "evil.com." both mean evil.com.
	AllowHosts []string
	DenyHosts  []string // hosts URLs may not have (same matching)
	// Blocklist are known-bad hosts, typically from a threat feed (same
	// matching), kept apart from DenyHosts so that the feed can be
	// replaced alone and a refusal names which list matched.
	Blocklist []string
	// WorkspaceAllowHosts and WorkspaceDenyHosts are a workspace's own
	// lists, checked after the operator's; their refusals name them.
	WorkspaceAllowHosts []string
	WorkspaceDenyHosts  []string
	// AllowPrivate turns off the private address rule, for development
	// and tests that talk to local servers.
	AllowPrivate bool
	// RequireAddresses refuses a host name that does not resolve, for
	// URLs the service itself will call (webhook endpoints, callbacks,
	// CRM integrations): a name that fails now is a typo, and accepting
	// it would defer the error to the first delivery.
	RequireAddresses bool
	// Resolve looks up a host's addresses; nil means
	// netguard.SystemResolve. A host with any non-public address is refused.
	Resolve netguard.ResolveFunc
	// ResolveTimeout bounds one lookup; 0 means DefaultResolveTimeout.
	ResolveTimeout time.Duration
	// MaxLen bounds a whole URL in bytes; 0 means DefaultMaxLen.
	MaxLen int

	// prepared says the five host lists are in normal form (Prepared).
	prepared bool
}

// Prepared returns p with its host lists in normal form, so that Check
// compares hosts to them without normalizing every entry again for every
// URL: what to check many URLs with (a request's several URLs, a bulk
// job's million). It decides exactly as p does; an entry that is not a
// valid pattern (Validate reports it) matches nothing, as in p. Changing
// the lists of the returned Policy afterwards is a mistake: their new
// entries would be compared as they are.
func (p Policy) Prepared() Policy {
	if p.prepared {
		return p
	}
	for _, l := range []*[]string{&p.AllowHosts, &p.DenyHosts, &p.Blocklist, &p.WorkspaceAllowHosts, &p.WorkspaceDenyHosts} {
		if *l == nil {
			continue
		}
		norm := make([]string, len(*l))
		for i, pat := range *l {
			suffix, wild := strings.CutPrefix(pat, "*.")
			h, e := normalizePattern(suffix)
			switch {
			case e != nil:
				norm[i] = "" // matches no host, as the entry matches none in p
			case wild:
				norm[i] = "*." + h
			default:
				norm[i] = h
			}
		}
		*l = norm
	}
	p.prepared = true
	return p
}

// Validate reports every bad host pattern at once, naming each with prefix
// (for example "destinations") and the list.
func (p *Policy) Validate(prefix string) error {
	var errs []error
	for _, list := range []struct {
		name  string
		hosts []string
	}{
		{"allow_hosts", p.AllowHosts}, {"deny_hosts", p.DenyHosts}, {"blocklist", p.Blocklist},
		{"workspace_allow_hosts", p.WorkspaceAllowHosts}, {"workspace_deny_hosts", p.WorkspaceDenyHosts},
	} {
		for i, h := range list.hosts {
			if msg := PatternProblem(h); msg != "" {
				errs = append(errs, fmt.Errorf("%s.%s[%d]: %s", prefix, list.name, i, msg))
			}
		}
	}
	if p.ResolveTimeout < 0 {
		errs = append(errs, fmt.Errorf("%s.resolve_timeout: must not be negative, got %v", prefix, p.ResolveTimeout))
	}
	if p.MaxLen < 0 {
		errs = append(errs, fmt.Errorf("%s.max_len: must not be negative, got %d", prefix, p.MaxLen))
	}
	return errors.Join(errs...)
}

// PatternProblem checks one host list entry: a host or "*.suffix" that
// normalizes to a valid domain name or address. It returns "" or what is
// wrong.
func PatternProblem(h string) string {
	bare := strings.TrimPrefix(h, "*.")
	if bare == "" || strings.ContainsAny(bare, "*/:@ ") {
		return fmt.Sprintf("%q: want a host or *.suffix (no scheme, port, path or inner *)", h)
	}
	if _, err := normalizePattern(bare); err != nil {
		return fmt.Sprintf("%q: %s", h, err.Message)
	}
	return ""
}

// normalizePattern maps a list entry's host part like a URL's host.
func normalizePattern(h string) (string, *Error) {
	u, e := Parse("http://"+h+"/", Web, 0)
	if e != nil {
		return "", e
	}
	return u.Host, nil
}

// Check checks raw for field (its JSON name, which the error carries) and
// returns the normalized URL to store. The rules run in the order syntax,
// scheme, credentials, host, port, blocklist, deny_list,
// not_in_allow_list, the workspace's lists, private_address; the first
// that refuses gives an *Error. Only the private address rule looks the
// host up, and only when it is a name. Check is safe for concurrent use.
func (p *Policy) Check(ctx context.Context, field, raw string, kind Kind) (string, error) {
	return p.CheckCached(ctx, field, raw, kind, nil)
}

// CheckCached is Check with a cache of lookups by host (nil for none), for
// checking the several URLs of one link with one lookup per host.
func (p *Policy) CheckCached(ctx context.Context, field, raw string, kind Kind, resolved map[string][]netip.Addr) (string, error) {
	u, e := Parse(raw, kind, p.MaxLen)
	if e == nil && u.Host != "" {
		e = p.checkHost(ctx, u, resolved)
	}
	if e != nil {
		e.Field = field
		return "", e
	}
	return u.String, nil
}

func (p *Policy) checkHost(ctx context.Context, u *URL, resolved map[string][]netip.Addr) *Error {
	host := u.Host
	switch {
	case p.match(p.Blocklist, host):
		return refuse(RuleBlocklist, "host %s is on the blocklist", host)
	case p.match(p.DenyHosts, host):
		return refuse(RuleDenyList, "host %s is on the deny list", host)
	case len(p.AllowHosts) > 0 && !p.match(p.AllowHosts, host):
		return refuse(RuleNotInAllowList, "host %s is not on the allow list", host)
	case p.match(p.WorkspaceDenyHosts, host):
		return refuse(RuleWorkspaceDenyList, "host %s is on the workspace's deny list", host)
	case len(p.WorkspaceAllowHosts) > 0 && !p.match(p.WorkspaceAllowHosts, host):
		return refuse(RuleWorkspaceNotInAllowList, "host %s is not on the workspace's allow list", host)
	}
	if u.Addr.IsValid() {
		if why := netguard.Reason(u.Addr); why != "" && !p.AllowPrivate {
			return refuse(RulePrivateAddress, "host %s is a non-public address (%s)", host, why)
		}
		return nil
	}
	if !p.AllowPrivate && (host == "localhost" || strings.HasSuffix(host, ".localhost")) { // RFC 6761: always loopback
		return refuse(RulePrivateAddress, "host %s is loopback", host)
	}
	if p.AllowPrivate && !p.RequireAddresses {
		return nil
	}
	addrs, ok := resolved[host]
	if !ok {
		addrs = p.lookup(ctx, host)
		if resolved != nil {
			resolved[host] = addrs
		}
	}
	if len(addrs) == 0 && p.RequireAddresses {
		return refuse(RuleUnresolvable, "host %s does not resolve", host)
	}
	if p.AllowPrivate {
		return nil
	}
	for _, a := range addrs {
		if why := netguard.Reason(a); why != "" {
			return refuse(RulePrivateAddress, "host %s resolves to the non-public address %s (%s)", host, a, why)
		}
	}
	return nil
}

// lookup resolves host, taking every lookup error as no addresses.
func (p *Policy) lookup(ctx context.Context, host string) []netip.Addr {
	timeout := p.ResolveTimeout
	if timeout == 0 {
		timeout = DefaultResolveTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resolve := p.Resolve
	if resolve == nil {
		resolve = netguard.SystemResolve
	}
	addrs, err := resolve(ctx, host)
	if err != nil {
		return nil
	}
	return addrs
}

// match reports whether host (normalized) matches an entry of list, which
// is in normal form when p is prepared.
func (p *Policy) match(list []string, host string) bool {
	return slices.ContainsFunc(list, func(pat string) bool {
		suffix, wild := strings.CutPrefix(pat, "*.")
		norm := suffix
		if !p.prepared {
			var e *Error
			if norm, e = normalizePattern(suffix); e != nil {
				return false
			}
		} else if norm == "" {
			return false
		}
		if wild {
			return strings.HasSuffix(host, "."+norm)
		}
		return host == norm
	})
}
