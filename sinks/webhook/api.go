package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/internal/netguard"
	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/sinks/webhook/alert"
)

// ReplayFunc re-sends msgs to ep, durably: nil means they are queued for
// delivery (with their original ids), not that they were delivered.
type ReplayFunc func(ctx context.Context, ep Endpoint, msgs []Message) error

// APIConfig configures the endpoint API.
type APIConfig struct {
	Registry *Registry // required
	// Production refuses http:// endpoint URLs.
	Production bool
	// AllowPrivate turns off the SSRF check at creation (tests and local
	// development only); the Deliverer checks again at delivery time.
	AllowPrivate bool
	// Resolve resolves endpoint hosts for the SSRF check; nil means the
	// system resolver.
	Resolve ResolveFunc
	// Replay queues replayed messages; nil answers replay requests 501.
	Replay ReplayFunc
	// Workspace returns the workspace a request acts in (the link API's
	// authenticated principal); nil means DefaultWorkspace for every
	// request. An error answers 403 with its message. Endpoints,
	// deliveries and replays are per workspace: an endpoint of another
	// workspace answers 404, as if it did not exist.
	Workspace func(*http.Request) (string, error)
	Logger    *slog.Logger // nil discards
}

// Validate names the bad field.
func (c APIConfig) Validate() error {
	if c.Registry == nil {
		return errors.New("registry: required")
	}
	return nil
}

// API path patterns, for mounting behind authentication.
const (
	PathEndpoints  = "/v1/webhooks/endpoints"
	PathDeliveries = "/v1/webhooks/deliveries"
)

type api struct {
	cfg APIConfig
	reg *Registry
	log *slog.Logger
}

// NewAPI returns the webhook endpoint API: it serves PathEndpoints and its
// subpaths, and PathDeliveries. It does no authentication: mount it behind
// the link API's bearer-key guard (linkapi.APIConfig.Mount). Errors are
// the link API's shape: {"error":{"code","field","message"}}.
func NewAPI(cfg APIConfig) (http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("webhook api config: %w", err)
	}
	if cfg.Resolve == nil {
		cfg.Resolve = netguard.SystemResolve
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &api{cfg: cfg, reg: cfg.Registry, log: cfg.Logger}
	mux := http.NewServeMux()
	allow := map[string][]string{}
	for _, r := range routes {
		mux.HandleFunc(r.Method+" "+r.Pattern, func(w http.ResponseWriter, req *http.Request) { r.handle(a, w, req) })
		allow[r.Pattern] = append(allow[r.Pattern], r.Method)
		if r.Method == http.MethodGet {
			allow[r.Pattern] = append(allow[r.Pattern], http.MethodHead)
		}
	}
	for pattern, methods := range allow {
		mux.Handle(pattern, methodNotAllowed(strings.Join(methods, ", ")))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "", "no such route")
	})
	return mux, nil
}

// endpointView is an endpoint as the API answers it; Secret is set only in
// the answers to create and rotate-secret.
type endpointView struct {
	ID                  string       `json:"id"`
	WorkspaceID         string       `json:"workspace_id"`
	URL                 string       `json:"url"`
	Events              []string     `json:"events"`
	Filters             Filters      `json:"filters"`
	Enabled             bool         `json:"enabled"`
	DisabledReason      string       `json:"disabled_reason,omitempty"`
	Secret              string       `json:"secret,omitempty"`
	CreatedAt           time.Time    `json:"created_at"`
	UpdatedAt           time.Time    `json:"updated_at"`
	ConsecutiveFailures int          `json:"consecutive_failures"`
	Alerts              alert.Config `json:"alerts,omitzero"`
}

func view(e RegisteredEndpoint, withSecret bool) endpointView {
	v := endpointView{ID: e.ID, WorkspaceID: e.WorkspaceID, URL: e.URL, Events: e.Events, Filters: e.Filters,
		Enabled: e.Enabled, DisabledReason: e.DisabledReason, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		ConsecutiveFailures: e.ConsecutiveFailures, Alerts: e.Alerts}
	if withSecret && len(e.Secrets) > 0 {
		v.Secret = e.Secrets[0].Value
	}
	return v
}

type endpointRequest struct {
	URL     *string       `json:"url"`
	Events  []string      `json:"events"`
	Filters *Filters      `json:"filters"`
	Enabled *bool         `json:"enabled"`
	Alerts  *alert.Config `json:"alerts"`
}

func (a *api) create(w http.ResponseWriter, r *http.Request) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return
	}
	var req endpointRequest
	if !decode(w, r, &req) {
		return
	}
	spec := EndpointSpec{WorkspaceID: ws, Events: req.Events}
	if req.Alerts != nil {
		spec.Alerts = *req.Alerts
	}
	if req.URL != nil {
		spec.URL = *req.URL
	}
	if req.Filters != nil {
		spec.Filters = *req.Filters
	}
	if req.Enabled != nil && !*req.Enabled {
		writeError(w, http.StatusBadRequest, "invalid_field", "enabled", "an endpoint is created enabled")
		return
	}
	if !a.checkSpec(w, r.Context(), &spec, true) {
		return
	}
	e, err := a.reg.Create(spec)
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, view(e, true))
}

// checkSpec validates spec and, when newURL, its URL with the one URL rule
// (internal/urlrule: a name must resolve, to public addresses unless
// AllowPrivate) and the production rule, answering 400 naming the field
// (and, for url, the rule) when it fails: invalid_field for a malformed
// URL, endpoint_refused for one the rules refuse. It leaves the normalized
// URL in spec.
func (a *api) checkSpec(w http.ResponseWriter, ctx context.Context, spec *EndpointSpec, newURL bool) bool {
	if newURL {
		if _, e := urlrule.Parse(spec.URL, urlrule.Web, 0); e != nil {
			writeRuleError(w, "invalid_field", e)
			return false
		}
	}
	if err := spec.normalized().Validate(); err != nil {
		field, msg, _ := strings.Cut(firstError(err).Error(), ": ")
		writeError(w, http.StatusBadRequest, "invalid_field", strings.TrimPrefix(field, "endpoint "), msg)
		return false
	}
	if !newURL {
		return true
	}
	u, err := a.checkURL(ctx, spec.URL)
	if err != nil {
		writeRuleError(w, "endpoint_refused", err)
		return false
	}
	spec.URL = u
	return true
}

// checkURL applies the creation-time rules to a well-formed endpoint URL
// and returns it normalized: https only in production, and the URL rule
// for URLs the service calls.
func (a *api) checkURL(ctx context.Context, raw string) (string, *urlrule.Error) {
	rule := urlrule.Policy{AllowPrivate: a.cfg.AllowPrivate, RequireAddresses: true, Resolve: a.cfg.Resolve,
		ResolveTimeout: 5 * time.Second}
	u, err := rule.Check(ctx, "url", raw, urlrule.Web)
	if err != nil {
		return "", err.(*urlrule.Error) // Check returns nothing else
	}
	if pu, _ := urlrule.Parse(u, urlrule.Web, 0); a.cfg.Production && pu.Scheme != "https" {
		return "", &urlrule.Error{Field: "url", Rule: urlrule.RuleScheme, Message: "endpoint url must be https in production"}
	}
	return u, nil
}

// writeRuleError answers 400 code for the URL rule's refusal e.
func writeRuleError(w http.ResponseWriter, code string, e *urlrule.Error) {
	writeJSON(w, http.StatusBadRequest, map[string]apiErrorBody{"error": {Code: code, Field: "url", Message: e.Message, Rule: e.Rule}})
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return
	}
	eps := a.reg.List(ws)
	out := make([]endpointView, len(eps))
	for i, e := range eps {
		out[i] = view(e, false)
	}
	writeJSON(w, http.StatusOK, listEndpointsResponse{Endpoints: out})
}

func (a *api) get(w http.ResponseWriter, r *http.Request) {
	e, ok := a.endpoint(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, view(e, false))
}

func (a *api) patch(w http.ResponseWriter, r *http.Request) {
	var req endpointRequest
	if !decode(w, r, &req) {
		return
	}
	cur, ok := a.endpoint(w, r)
	if !ok {
		return
	}
	id := cur.ID
	spec := cur.spec()
	if req.URL != nil {
		spec.URL = *req.URL
	}
	if req.Events != nil {
		spec.Events = req.Events
	}
	if req.Filters != nil {
		spec.Filters = *req.Filters
	}
	if req.Alerts != nil {
		spec.Alerts = *req.Alerts
	}
	if !a.checkSpec(w, r.Context(), &spec, req.URL != nil) {
		return
	}
	spec = spec.normalized()
	e, err := a.reg.Update(id, func(e *RegisteredEndpoint) error {
		e.URL, e.Events, e.Filters, e.Alerts = spec.URL, spec.Events, spec.Filters, spec.Alerts
		if req.Enabled != nil {
			e.Enabled = *req.Enabled
			if e.Enabled {
				e.DisabledReason, e.ConsecutiveFailures, e.FirstFailureAt = "", 0, time.Time{}
			} else {
				e.DisabledReason = "disabled through the API"
			}
		}
		return nil
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, view(e, false))
}

func (a *api) delete(w http.ResponseWriter, r *http.Request) {
	e, ok := a.endpoint(w, r)
	if !ok {
		return
	}
	if err := a.reg.Delete(e.ID); err != nil {
		a.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) rotate(w http.ResponseWriter, r *http.Request) {
	cur, ok := a.endpoint(w, r)
	if !ok {
		return
	}
	e, err := a.reg.RotateSecret(cur.ID)
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, view(e, true))
}

type replayRequest struct {
	MessageID string    `json:"message_id"`
	Since     time.Time `json:"since"`
}

func (a *api) replay(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Replay == nil {
		writeError(w, http.StatusNotImplemented, "not_implemented", "", "replay is not configured on this node")
		return
	}
	var req replayRequest
	if !decode(w, r, &req) {
		return
	}
	if (req.MessageID == "") == req.Since.IsZero() {
		writeError(w, http.StatusBadRequest, "invalid_field", "message_id", "give exactly one of message_id and since")
		return
	}
	e, ok := a.endpoint(w, r)
	if !ok {
		return
	}
	if !e.Enabled {
		writeError(w, http.StatusConflict, "endpoint_disabled", "", "endpoint is disabled ("+e.DisabledReason+"): enable it with PATCH first")
		return
	}
	ids := []string{req.MessageID}
	if req.MessageID == "" {
		var err error
		if ids, err = a.reg.FailedSince(e.ID, req.Since); err != nil {
			a.fail(w, err)
			return
		}
	} else if !a.reg.Attempted(e.ID, req.MessageID) {
		// Only a message this endpoint was sent may be replayed to it:
		// message ids are global, and another workspace's message must
		// not reach this one's endpoint.
		writeError(w, http.StatusNotFound, "not_found", "message_id", fmt.Sprintf("message %q was never sent to endpoint %s", req.MessageID, e.ID))
		return
	}
	msgs := make([]Message, 0, len(ids))
	for _, id := range ids {
		m, err := a.reg.Message(id)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				writeError(w, http.StatusNotFound, "not_found", "message_id", err.Error())
				return
			}
			a.fail(w, err)
			return
		}
		msgs = append(msgs, m)
	}
	if len(msgs) > 0 {
		if err := a.cfg.Replay(r.Context(), e.Endpoint(time.Now()), msgs); err != nil {
			a.fail(w, fmt.Errorf("queue replay of %d messages: %w", len(msgs), err))
			return
		}
	}
	ids = append([]string{}, ids[:len(msgs)]...) // [] rather than null when none failed
	writeJSON(w, http.StatusAccepted, replayResponse{Replayed: ids})
}

func (a *api) deliveries(w http.ResponseWriter, r *http.Request) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return
	}
	q := DeliveryQuery{EndpointID: r.URL.Query().Get("endpoint"), Status: r.URL.Query().Get("status")}
	if q.EndpointID != "" {
		if e, err := a.reg.Get(q.EndpointID); err != nil || e.WorkspaceID != ws {
			writeJSON(w, http.StatusOK, deliveriesResponse{Deliveries: []Delivery{}})
			return
		}
	} else {
		q.EndpointIDs = []string{}
		for _, e := range a.reg.List(ws) {
			q.EndpointIDs = append(q.EndpointIDs, e.ID)
		}
	}
	if s := r.URL.Query().Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_field", "since", "want an RFC 3339 time")
			return
		}
		q.Since = t
	}
	if err := q.Validate(); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		writeError(w, http.StatusBadRequest, "invalid_field", field, msg)
		return
	}
	q.NewestFirst = true // as the route's summary says
	ds, err := a.reg.Deliveries(q)
	if err != nil {
		a.fail(w, err)
		return
	}
	if ds == nil {
		ds = []Delivery{}
	}
	writeJSON(w, http.StatusOK, deliveriesResponse{Deliveries: ds})
}

// methodNotAllowed answers a method a path does not serve.
func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "", "allowed: "+allow)
	}
}

// fail answers 404 for ErrNotFound, 400 for a validation error from the
// registry, and 500 (logged) for everything else.
func (a *api) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "", err.Error())
		return
	}
	a.log.Error("webhook api", "err", err)
	writeError(w, http.StatusInternalServerError, "internal", "", "see the server log")
}
