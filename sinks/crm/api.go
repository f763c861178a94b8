package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/internal/apijson"
	"github.com/clicktrail/clicktrail/internal/logs"
	"github.com/clicktrail/clicktrail/internal/netguard"
	"github.com/clicktrail/clicktrail/internal/urlrule"
)

// PathIntegrations is the integrations API's path, for mounting behind
// the link API's authentication ("/v1/integrations" and its subpaths).
const PathIntegrations = "/v1/integrations"

// URLSettings is implemented by Kinds whose settings hold URLs the sink
// calls: the API checks them with internal/urlrule (RequireAddresses).
type URLSettings interface {
	URLSettings() []string
}

// APIConfig configures the integrations API.
type APIConfig struct {
	Registry *Registry // required
	// Workspace returns the workspace a request acts in (the link API's
	// principal); an error answers 403. Another workspace's integration
	// answers 404.
	Workspace func(*http.Request) (string, error)
	// AllowPrivate lets URL settings resolve to private addresses (tests
	// and local development only).
	AllowPrivate bool
	Resolve      netguard.ResolveFunc // nil: the system resolver
	Now          func() time.Time
	Logger       *slog.Logger
}

// Route is one operation of the API, for the mounting API's OpenAPI
// document; NewAPI serves exactly these.
type Route struct {
	Method, Pattern, Summary string
	Write                    bool // needs integrations:write
	Request, Response        any
	Required                 []string
	Status                   int
	Errors                   []int
	handle                   func(*api, http.ResponseWriter, *http.Request)
}

// IntegrationRequest is the body of create and update (absent members
// are unchanged on update; given credentials replace those keys).
type IntegrationRequest struct {
	CRM         *string           `json:"crm,omitempty"`
	Events      []string          `json:"events,omitempty"`
	Settings    map[string]string `json:"settings,omitempty"`
	Credentials map[string]string `json:"credentials,omitempty"`
	Mapping     *Mapping          `json:"mapping,omitempty"`
	Enabled     *bool             `json:"enabled,omitempty"`
}

// IntegrationView is an integration as the API answers it: never its
// credentials, only which keys are set.
type IntegrationView struct {
	ID             string            `json:"id"`
	WorkspaceID    string            `json:"workspace_id"`
	CRM            string            `json:"crm"`
	Events         []string          `json:"events"`
	Settings       map[string]string `json:"settings"`
	CredentialKeys []string          `json:"credential_keys"`
	Mapping        Mapping           `json:"mapping"`
	Enabled        bool              `json:"enabled"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// IntegrationList is the answer of the list.
type IntegrationList struct {
	Integrations []IntegrationView `json:"integrations"`
}

var routes = []Route{
	{Method: "POST", Pattern: PathIntegrations, Write: true,
		Summary: "Connect a CRM (hubspot, salesforce, pipedrive): events, settings, credentials (sealed at rest, never shown again) and field mapping",
		Request: IntegrationRequest{}, Required: []string{"crm", "events", "credentials"}, Response: IntegrationView{},
		Status: http.StatusCreated, Errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, handle: (*api).create},
	{Method: "GET", Pattern: PathIntegrations, Summary: "List the workspace's CRM integrations (never their credentials)",
		Response: IntegrationList{}, Status: http.StatusOK, handle: (*api).list},
	{Method: "GET", Pattern: PathIntegrations + "/{id}", Summary: "Get a CRM integration (never its credentials)",
		Response: IntegrationView{}, Status: http.StatusOK, Errors: []int{http.StatusNotFound}, handle: (*api).get},
	{Method: "PATCH", Pattern: PathIntegrations + "/{id}", Write: true,
		Summary: "Change a CRM integration's events, settings, credentials (given keys replaced), mapping or enabled flag (absent = unchanged)",
		Request: IntegrationRequest{}, Response: IntegrationView{}, Status: http.StatusOK,
		Errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge}, handle: (*api).update},
	{Method: "DELETE", Pattern: PathIntegrations + "/{id}", Write: true, Summary: "Delete a CRM integration; 204, no body",
		Status: http.StatusNoContent, Errors: []int{http.StatusNotFound}, handle: (*api).delete},
}

// Routes returns the API's operations, for documentation.
func Routes() []Route { return slices.Clone(routes) }

type api struct {
	cfg APIConfig
	reg *Registry
	log *slog.Logger
}

// NewAPI returns the integrations API. It does no authentication: mount
// it behind the link API's bearer-key guard. Errors have the link API's
// shape, naming the bad field ("settings.instance_url",
// "mapping.click.contact.Foo").
func NewAPI(cfg APIConfig) (http.Handler, error) {
	if cfg.Registry == nil {
		return nil, errors.New("crm api config: registry: required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &api{cfg: cfg, reg: cfg.Registry, log: logs.OrDiscard(cfg.Logger)}
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.HandleFunc(r.Method+" "+r.Pattern, func(w http.ResponseWriter, req *http.Request) { r.handle(a, w, req) })
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "", "no such route")
	})
	return mux, nil
}

func (a *api) workspace(w http.ResponseWriter, r *http.Request) (string, bool) {
	if a.cfg.Workspace == nil {
		return "default", true
	}
	ws, err := a.cfg.Workspace(r)
	if err != nil || ws == "" {
		writeError(w, http.StatusForbidden, "forbidden", "", "no workspace for this request")
		return "", false
	}
	return ws, true
}

func (a *api) integration(w http.ResponseWriter, r *http.Request) (Integration, bool) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return Integration{}, false
	}
	i, err := a.reg.Get(r.PathValue("id"))
	if err != nil || i.WorkspaceID != ws {
		writeError(w, http.StatusNotFound, "not_found", "id", "no such integration")
		return Integration{}, false
	}
	return i, true
}

func view(i Integration) IntegrationView {
	keys := make([]string, 0, len(i.Credentials))
	for k := range i.Credentials {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := i.Settings
	if s == nil {
		s = map[string]string{}
	}
	return IntegrationView{ID: i.ID, WorkspaceID: i.WorkspaceID, CRM: i.CRM, Events: i.Events, Settings: s, CredentialKeys: keys,
		Mapping: i.Mapping, Enabled: i.Enabled, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
}

func (a *api) create(w http.ResponseWriter, r *http.Request) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return
	}
	var req IntegrationRequest
	if !decode(w, r, &req) {
		return
	}
	if req.CRM == nil {
		writeError(w, http.StatusBadRequest, "invalid_field", "crm", "required")
		return
	}
	i := Integration{WorkspaceID: ws, CRM: *req.CRM, Events: req.Events, Settings: req.Settings, Credentials: req.Credentials}
	if req.Mapping != nil {
		i.Mapping = *req.Mapping
	}
	if !a.checkURLs(w, r.Context(), &i) {
		return
	}
	i, err := a.reg.Create(i, a.cfg.Now())
	if err != nil {
		a.fail(w, err)
		return
	}
	if req.Enabled != nil && !*req.Enabled {
		if i, err = a.reg.Update(i.ID, a.cfg.Now(), func(x *Integration) { x.Enabled = false }); err != nil {
			a.fail(w, err)
			return
		}
	}
	w.Header().Set("Location", PathIntegrations+"/"+i.ID)
	writeJSON(w, http.StatusCreated, view(i))
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return
	}
	out := IntegrationList{Integrations: []IntegrationView{}}
	for _, i := range a.reg.List(ws) {
		out.Integrations = append(out.Integrations, view(i))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) get(w http.ResponseWriter, r *http.Request) {
	if i, ok := a.integration(w, r); ok {
		writeJSON(w, http.StatusOK, view(i))
	}
}

func (a *api) update(w http.ResponseWriter, r *http.Request) {
	cur, ok := a.integration(w, r)
	if !ok {
		return
	}
	var req IntegrationRequest
	if !decode(w, r, &req) {
		return
	}
	if req.CRM != nil && *req.CRM != cur.CRM {
		writeError(w, http.StatusBadRequest, "invalid_field", "crm", "cannot change: create another integration")
		return
	}
	next := cur
	next.Settings, next.Credentials = clone(cur.Settings), clone(cur.Credentials)
	if req.Events != nil {
		next.Events = req.Events
	}
	for k, v := range req.Settings {
		next.Settings[k] = v
	}
	for k, v := range req.Credentials {
		next.Credentials[k] = v
	}
	if req.Mapping != nil {
		next.Mapping = *req.Mapping
	}
	if req.Enabled != nil {
		next.Enabled = *req.Enabled
	}
	if !a.checkURLs(w, r.Context(), &next) {
		return
	}
	i, err := a.reg.Update(cur.ID, a.cfg.Now(), func(x *Integration) { *x = next })
	if err != nil {
		a.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, view(i))
}

func (a *api) delete(w http.ResponseWriter, r *http.Request) {
	i, ok := a.integration(w, r)
	if !ok {
		return
	}
	if err := a.reg.Delete(i.ID); err != nil {
		a.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkURLs applies the URL rule of URLs the service calls to the Kind's
// URL settings, storing them normalized, or answers 400 naming the key.
func (a *api) checkURLs(w http.ResponseWriter, ctx context.Context, i *Integration) bool {
	k, ok := a.reg.Kind(i.CRM)
	if !ok {
		return true // Validate names it
	}
	us, ok := k.(URLSettings)
	if !ok {
		return true
	}
	rule := urlrule.Policy{AllowPrivate: a.cfg.AllowPrivate, RequireAddresses: true, Resolve: a.cfg.Resolve, ResolveTimeout: 5 * time.Second}
	for _, key := range us.URLSettings() {
		raw, set := i.Settings[key]
		if !set {
			continue
		}
		field := "settings." + key
		u, err := rule.Check(ctx, field, raw, urlrule.Web)
		if err != nil {
			var ue *urlrule.Error
			body := apiErrorBody{Code: "invalid_field", Field: field, Message: err.Error()}
			if errors.As(err, &ue) {
				body.Rule, body.Message = ue.Rule, ue.Message
				if !ue.Malformed() {
					body.Code = "destination_refused"
				}
			}
			writeJSON(w, http.StatusBadRequest, map[string]apiErrorBody{"error": body})
			return false
		}
		i.Settings[key] = u
	}
	return true
}

// fail answers a registry error: 404, or 400 naming the first bad key
// with every problem in the message.
func (a *api) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "id", "no such integration")
		return
	}
	first := err
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		first = j.Unwrap()[0]
		if jj, ok := first.(interface{ Unwrap() []error }); ok && len(jj.Unwrap()) > 0 {
			first = jj.Unwrap()[0]
		}
	}
	field, _, _ := strings.Cut(first.Error(), ":")
	if strings.ContainsAny(field, " \"") {
		a.log.Error("crm integrations api", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "", "could not store the integration")
		return
	}
	writeError(w, http.StatusBadRequest, "invalid_field", field, strings.ReplaceAll(err.Error(), "\n", "; "))
}

const maxBodyBytes = 64 << 10

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "", fmt.Sprintf("request body over %d bytes or unreadable", maxBodyBytes))
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			writeError(w, http.StatusBadRequest, "invalid_field", te.Field, "wrong type: want "+te.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			writeError(w, http.StatusBadRequest, "unknown_field", strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown member")
		default:
			writeError(w, http.StatusBadRequest, "invalid_json", "", "body is not a JSON object")
		}
		return false
	}
	return true
}

type apiErrorBody = apijson.ErrorBody

func writeError(w http.ResponseWriter, status int, code, field, msg string) {
	writeJSON(w, status, map[string]apiErrorBody{"error": {Code: code, Field: field, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) { apijson.Write(w, status, v) }
