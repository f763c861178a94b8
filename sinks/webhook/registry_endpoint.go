package webhook

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
	"github.com/clicktrail/clicktrail/sinks/webhook/alert"
)

// EventEndpointDisabled is emitted to a workspace's endpoints subscribed to
// it when one of its endpoints is disabled (410 Gone, or failing for
// RegistryConfig.DisableAfter). Data: EndpointDisabled.
const EventEndpointDisabled = "webhook.endpoint.disabled"

// EndpointDisabled is the data of EventEndpointDisabled.
type EndpointDisabled struct {
	EndpointID string `json:"endpoint_id"`
	URL        string `json:"url"`
	Reason     string `json:"reason"`
}

// Filters narrow the clicks an endpoint hears of, as click.created and
// qr_scan.created events and through its alerts; the zero value passes all.
// Each non-empty list must match (a click passes a list when it carries at
// least one of its values); the exclusions drop bots, clicks enrich marked
// internal (from the deployment's own networks, see
// enrich.Config.InternalNetworks) and clicks of links carrying any of
// ExcludeTags (such as "internal" or "test").
type Filters struct {
	Tags            []string `json:"tags,omitempty"`
	LinkIDs         []string `json:"link_ids,omitempty"`
	Domains         []string `json:"domains,omitempty"`
	ExcludeBots     bool     `json:"exclude_bots,omitempty"`
	ExcludeInternal bool     `json:"exclude_internal,omitempty"`
	ExcludeTags     []string `json:"exclude_tags,omitempty"`
}

// Match reports whether c passes the filters: the click-only exclusions
// (bots, internal traffic), then those of its link (MatchLink).
func (f Filters) Match(c *schemas.EnrichedClick) bool {
	if f.ExcludeBots && c.Bot || f.ExcludeInternal && c.Internal {
		return false
	}
	return f.MatchLink(c.LinkID, c.Domain, c.Tags)
}

// Secret is one signing secret of an endpoint. It redacts itself in logs
// and fmt output; read Value to sign.
type Secret struct {
	// Value is the secret in memory; on disk the Registry stores it
	// sealed (seal.Ring.Seal, bound to the endpoint's id).
	Value string `json:"value"`
	// ExpiresAt is zero for the current secret, and the end of the
	// rotation grace period for the previous one.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// String redacts the secret.
func (Secret) String() string { return "whsec_[redacted]" }

// LogValue redacts the secret.
func (Secret) LogValue() slog.Value { return slog.StringValue("whsec_[redacted]") }

// EndpointSpec is what a customer chooses about an endpoint.
type EndpointSpec struct {
	// WorkspaceID owns the endpoint; empty means DefaultWorkspace. Fixed
	// at creation.
	WorkspaceID string
	URL         string
	Events      []string
	Filters     Filters
	// Alerts are the rules of the alert.threshold, alert.spike and
	// click.digest events; a subscription to alert.threshold or
	// alert.spike needs its rule, click.digest runs on the defaults.
	Alerts alert.Config
}

// subscribable are the event types an endpoint may subscribe to.
var subscribable = slices.Concat(schemas.EventTypes, []string{EventEndpointDisabled}, alert.EventTypes)

func (s EndpointSpec) normalized() EndpointSpec {
	if s.WorkspaceID == "" {
		s.WorkspaceID = DefaultWorkspace
	}
	s.Events = slices.Compact(slices.Sorted(slices.Values(s.Events)))
	if slices.Contains(s.Events, alert.EventDigest) && s.Alerts.Digest == nil {
		s.Alerts = s.Alerts.Clone()
		s.Alerts.Digest = &alert.Digest{}
	}
	s.Alerts = s.Alerts.WithDefaults()
	ds := make([]string, len(s.Filters.Domains))
	for i, d := range s.Filters.Domains {
		ds[i] = strings.ToLower(d)
	}
	s.Filters.Domains = ds
	return s
}

// Validate checks the URL's form and the event types, naming the bad
// field. It does not resolve the host: the endpoint API checks addresses at
// creation, and the Deliverer at every attempt.
func (s EndpointSpec) Validate() error {
	var errs []error
	if _, err := parseEndpointURL(s.URL); err != nil {
		errs = append(errs, err)
	}
	if len(s.Events) == 0 {
		errs = append(errs, errors.New("events: at least one event type required"))
	}
	for i, ev := range s.Events {
		if !slices.Contains(subscribable, ev) {
			errs = append(errs, fmt.Errorf("events[%d]: unknown event type %q", i, ev))
		}
		if err := s.Alerts.Requires(ev); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.Alerts.Validate(); err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = append(errs, j.Unwrap()...) // one per field, so an answer names one
		} else {
			errs = append(errs, err)
		}
	}
	for _, l := range []struct {
		name string
		vals []string
	}{
		{"filters.tags", s.Filters.Tags}, {"filters.link_ids", s.Filters.LinkIDs},
		{"filters.domains", s.Filters.Domains}, {"filters.exclude_tags", s.Filters.ExcludeTags},
	} {
		for i, v := range l.vals {
			if v == "" {
				errs = append(errs, fmt.Errorf("%s[%d]: empty", l.name, i))
			}
		}
	}
	return errors.Join(errs...)
}

// RegisteredEndpoint is an endpoint as the Registry stores it.
type RegisteredEndpoint struct {
	ID             string    `json:"id"`
	WorkspaceID    string    `json:"workspace_id"`
	URL            string    `json:"url"`
	Events         []string  `json:"events"`
	Filters        Filters   `json:"filters"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabled_reason,omitempty"`
	Secrets        []Secret  `json:"secrets"` // current first
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// ConsecutiveFailures counts attempts failed since the last delivery;
	// FirstFailureAt is when the first of them was made (zero when none).
	ConsecutiveFailures int       `json:"consecutive_failures"`
	FirstFailureAt      time.Time `json:"first_failure_at,omitzero"`
	// Alerts are the endpoint's alert rules (defaults applied);
	// AlertsSince is when they last changed: spike baselines count
	// windows from then.
	Alerts      alert.Config `json:"alerts,omitzero"`
	AlertsSince time.Time    `json:"alerts_since,omitzero"`
}

// Subscribed reports whether e is enabled and subscribed to event type typ.
func (e *RegisteredEndpoint) Subscribed(typ string) bool {
	return e.Enabled && slices.Contains(e.Events, typ)
}

// Endpoint returns what the Deliverer needs: the secrets still valid at
// now, current first.
func (e *RegisteredEndpoint) Endpoint(now time.Time) Endpoint {
	ep := Endpoint{ID: e.ID, URL: e.URL}
	for _, s := range e.Secrets {
		if s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt) {
			ep.Secrets = append(ep.Secrets, s.Value)
		}
	}
	return ep
}

func (e *RegisteredEndpoint) spec() EndpointSpec {
	return EndpointSpec{WorkspaceID: e.WorkspaceID, URL: e.URL, Events: e.Events, Filters: e.Filters, Alerts: e.Alerts}
}

func (e *RegisteredEndpoint) clone() RegisteredEndpoint {
	c := *e
	c.Events = slices.Clone(e.Events)
	c.Secrets = slices.Clone(e.Secrets)
	c.Filters.Tags = slices.Clone(e.Filters.Tags)
	c.Filters.LinkIDs = slices.Clone(e.Filters.LinkIDs)
	c.Filters.Domains = slices.Clone(e.Filters.Domains)
	c.Filters.ExcludeTags = slices.Clone(e.Filters.ExcludeTags)
	c.Alerts = e.Alerts.Clone()
	return c
}

// ClickTargets are the endpoints one click goes to, by what they get.
type ClickTargets struct {
	// Click: subscribed to the click's click.created or qr_scan.created.
	Click []Endpoint
	// Variant: subscribed to rule.variant_chosen, when a rule or variant
	// routed the click (RuleID or Variant set); nil otherwise.
	Variant []Endpoint
	// Alerts: with an alert subscription the click feeds.
	Alerts []AlertTarget
}

// ClickTargets returns every endpoint of the click's workspace the click
// concerns, ready to deliver to at now, in one pass over the registry: an
// endpoint whose filters refuse the click gets none of it. It reads memory
// only.
func (r *Registry) ClickTargets(c *schemas.EnrichedClick, now time.Time) ClickTargets {
	ws := c.WorkspaceID
	if ws == "" {
		ws = DefaultWorkspace
	}
	typ, _ := schemas.ClickEventType(c) // "" (no click event) for an unknown type
	routed := c.RuleID != "" || c.Variant != ""
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out ClickTargets
	for _, e := range r.eps {
		if e.WorkspaceID != ws || !e.Enabled || !e.Filters.Match(c) {
			continue
		}
		click := typ != "" && e.Subscribed(typ)
		variant := routed && e.Subscribed(schemas.EventRuleVariantChosen)
		rules := e.sharedRules() // read-only, like ep below
		if !click && !variant && rules.IsZero() {
			continue
		}
		ep := e.Endpoint(now) // read-only from here: the three may share it
		if click {
			out.Click = append(out.Click, ep)
		}
		if variant {
			out.Variant = append(out.Variant, ep)
		}
		if !rules.IsZero() {
			out.Alerts = append(out.Alerts, AlertTarget{Endpoint: ep, Rules: rules, Since: e.AlertsSince})
		}
	}
	return out
}

// Subscribers returns the enabled endpoints of workspace subscribed to
// event type typ, except the one with id except.
func (r *Registry) Subscribers(workspace, typ, except string, now time.Time) []Endpoint {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Endpoint
	for _, e := range r.eps {
		if e.ID != except && e.WorkspaceID == workspace && e.Subscribed(typ) {
			out = append(out, e.Endpoint(now))
		}
	}
	return out
}

// HasSubscribers reports whether Subscribers(workspace, typ, "", now)
// would return any endpoint, without building them: the cheap question a
// consumer asks before decoding an event.
func (r *Registry) HasSubscribers(workspace, typ string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, e := range r.eps {
		if e.WorkspaceID == workspace && e.Subscribed(typ) {
			return true
		}
	}
	return false
}
