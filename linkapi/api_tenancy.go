package linkapi

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/linkapi/audit"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// tenancyRoutes manage workspaces, API keys and branded domains, and read
// the audit log. Every answer and every lookup is confined to the caller's
// workspace: another workspace's key or domain answers 404.
var tenancyRoutes = []apiRoute{
	{
		method: "POST", pattern: "/v1/workspaces", summary: "Create a workspace (bootstrap keys only)",
		request: createWorkspaceRequest{}, required: []string{"name"},
		response: workspaceView{}, status: http.StatusCreated,
		errors: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge},
		scopes: []string{tenancy.ScopeAdmin}, handle: (*api).createWorkspace,
	},
	{
		method: "GET", pattern: "/v1/workspaces", summary: "List the workspaces (bootstrap keys only)",
		response: listWorkspacesResponse{}, status: http.StatusOK,
		errors: []int{http.StatusForbidden},
		scopes: []string{tenancy.ScopeAdmin}, handle: (*api).listWorkspaces,
	},
	{
		method: "GET", pattern: "/v1/workspace", summary: "The caller's workspace and its settings",
		response: workspaceView{}, status: http.StatusOK,
		scopes: []string{tenancy.ScopeWorkspaceRead}, handle: (*api).getWorkspace,
	},
	{
		method: "PATCH", pattern: "/v1/workspace",
		summary: "Change the caller's workspace: name, and the destination host lists its links must satisfy " +
			"(absent = unchanged; a list replaces the old one; [] clears it)",
		request: workspacePatch{}, response: workspaceView{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
		scopes: []string{tenancy.ScopeWorkspaceWrite}, handle: (*api).patchWorkspace,
	},
	{
		method: "POST", pattern: "/v1/keys",
		summary: "Create an API key of the caller's workspace (a bootstrap key may name workspace_id). " +
			"The key is in the answer once and never again (a replay has secret_withheld instead); a key can grant only scopes it holds",
		request: createKeyRequest{}, required: []string{"name", "scopes"},
		response: createdKeyResponse{}, status: http.StatusCreated,
		errors: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusRequestEntityTooLarge},
		scopes: []string{tenancy.ScopeKeysWrite}, handle: (*api).createKey,
	},
	{
		method: "GET", pattern: "/v1/keys", summary: "List the workspace's API keys, revoked ones included (never a secret)",
		response: listKeysResponse{}, status: http.StatusOK,
		scopes: []string{tenancy.ScopeKeysRead}, handle: (*api).listKeys,
	},
	{
		method: "GET", pattern: "/v1/keys/self",
		summary: "Who the calling key is: its id, workspace and scopes (services that accept the link API's keys, " +
			"such as the webhook sink's endpoint API, ask this)",
		response: selfResponse{}, status: http.StatusOK,
		scopes: []string{}, handle: (*api).keySelf,
	},
	{
		method: "DELETE", pattern: "/v1/keys/{id}",
		summary:  "Revoke an API key: it answers 401 from now on; a key can revoke only keys whose scopes it holds",
		response: keyView{}, status: http.StatusOK,
		errors: []int{http.StatusForbidden, http.StatusNotFound},
		scopes: []string{tenancy.ScopeKeysWrite}, handle: (*api).revokeKey,
	},
	{
		method: "POST", pattern: "/v1/domains", summary: "Register a branded domain for the workspace's links",
		request: addDomainRequest{}, required: []string{"domain"},
		response: tenancy.Domain{}, status: http.StatusCreated,
		errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge},
		scopes: []string{tenancy.ScopeDomainsWrite}, handle: (*api).addDomain,
	},
	{
		method: "GET", pattern: "/v1/domains", summary: "List the workspace's branded domains",
		response: listDomainsResponse{}, status: http.StatusOK,
		scopes: []string{tenancy.ScopeDomainsRead}, handle: (*api).listDomains,
	},
	{
		method: "DELETE", pattern: "/v1/domains/{domain}",
		summary:  "Unregister a domain: its links keep redirecting, new links cannot use it",
		response: tenancy.Domain{}, status: http.StatusOK,
		errors: []int{http.StatusNotFound},
		scopes: []string{tenancy.ScopeDomainsWrite}, handle: (*api).removeDomain,
	},
	{
		method: "GET", pattern: "/v1/audit",
		summary:  "The workspace's audit log, newest first",
		query:    auditQuery,
		response: auditResponse{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest},
		scopes: []string{tenancy.ScopeAuditRead}, handle: (*api).listAudit,
	},
}

type createWorkspaceRequest struct {
	Name string `json:"name"`
}

// workspacePatch is the body of PATCH /v1/workspace.
type workspacePatch struct {
	Name                  *string  `json:"name"`
	DestinationAllowHosts []string `json:"destination_allow_hosts"`
	DestinationDenyHosts  []string `json:"destination_deny_hosts"`
}

func (a *api) getWorkspace(w http.ResponseWriter, r *http.Request) {
	ws, err := a.tenants.GetWorkspace(r.Context(), principal(r).WorkspaceID)
	if err != nil {
		WriteError(w, a.internal("get workspace", err))
		return
	}
	WriteJSON(w, http.StatusOK, viewWorkspace(ws))
}

func (a *api) patchWorkspace(w http.ResponseWriter, r *http.Request) {
	body, aerr := readBody(w, r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	var p workspacePatch
	if aerr := DecodeStrict(body, &p); aerr != nil {
		WriteError(w, aerr)
		return
	}
	var present map[string]json.RawMessage
	_ = json.Unmarshal(body, &present) // DecodeStrict accepted it
	ws, err := a.tenants.GetWorkspace(r.Context(), principal(r).WorkspaceID)
	if err != nil {
		WriteError(w, a.internal("get workspace", err))
		return
	}
	var changes []string
	if p.Name != nil {
		ws.Name, changes = *p.Name, append(changes, "name")
	}
	if _, ok := present["destination_allow_hosts"]; ok {
		ws.DestinationAllowHosts, changes = p.DestinationAllowHosts, append(changes, "destination_allow_hosts")
	}
	if _, ok := present["destination_deny_hosts"]; ok {
		ws.DestinationDenyHosts, changes = p.DestinationDenyHosts, append(changes, "destination_deny_hosts")
	}
	ws.UpdatedAt = a.cfg.Now().UTC()
	if err := a.tenants.UpdateWorkspace(r.Context(), ws); err != nil {
		WriteError(w, a.fieldOrInternal("update workspace", err))
		return
	}
	a.audit(r.Context(), "workspace.updated", "workspace", ws.ID, changes)
	WriteJSON(w, http.StatusOK, viewWorkspace(ws))
}

type listWorkspacesResponse struct {
	Workspaces []workspaceView `json:"workspaces"`
}

type createKeyRequest struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	// WorkspaceID, for bootstrap keys only, creates the key in another
	// workspace; others create keys in their own.
	WorkspaceID string `json:"workspace_id,omitempty"`
}

// keyView is a key as the API shows it: never its hash or secret.
type keyView struct {
	ID          string     `json:"id"`
	WorkspaceID string     `json:"workspace_id"`
	Name        string     `json:"name"`
	Scopes      []string   `json:"scopes"`
	Prefix      string     `json:"prefix"`
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

func viewKey(k *tenancy.APIKey) keyView {
	return keyView{ID: k.ID, WorkspaceID: k.WorkspaceID, Name: k.Name, Scopes: k.Scopes, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy, RevokedAt: k.RevokedAt}
}

type createdKeyResponse struct {
	keyView
	// Key is the secret, shown in the first answer only: a replay of the
	// create (same Idempotency-Key) leaves it out and sets SecretWithheld.
	Key string `json:"key,omitempty"`
	// SecretWithheld is true in a replay, which never repeats the secret
	// (ADR 007): revoke the key and create another if it was lost.
	SecretWithheld bool `json:"secret_withheld,omitempty"`
}

// selfResponse is the body of GET /v1/keys/self.
type selfResponse struct {
	KeyID       string   `json:"key_id"`
	WorkspaceID string   `json:"workspace_id"`
	Scopes      []string `json:"scopes"`
}

func (a *api) keySelf(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	WriteJSON(w, http.StatusOK, selfResponse{KeyID: p.KeyID, WorkspaceID: p.WorkspaceID, Scopes: p.Scopes})
}

type listKeysResponse struct {
	Keys []keyView `json:"keys"`
}

type addDomainRequest struct {
	Domain string `json:"domain"`
}

type listDomainsResponse struct {
	Domains []*tenancy.Domain `json:"domains"`
}

type auditResponse struct {
	Records    []*audit.Record `json:"records"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// decodeBody reads and strictly decodes a JSON request body into v.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) *APIError {
	body, aerr := readBody(w, r)
	if aerr != nil {
		return aerr
	}
	return DecodeStrict(body, v)
}

func (a *api) createWorkspace(w http.ResponseWriter, r *http.Request) {
	var req createWorkspaceRequest
	if aerr := decodeBody(w, r, &req); aerr != nil {
		WriteError(w, aerr)
		return
	}
	if req.Name == "" { // the document requires it
		WriteError(w, BadRequest(CodeInvalidField, "name", "required"))
		return
	}
	ws := &tenancy.Workspace{ID: tenancy.NewWorkspaceID(), Name: req.Name, CreatedAt: a.cfg.Now().UTC()}
	if err := a.tenants.CreateWorkspace(r.Context(), ws); err != nil {
		WriteError(w, a.fieldOrInternal("create workspace", err))
		return
	}
	a.audit(r.Context(), audit.WorkspaceCreated, "workspace", ws.ID, nil)
	WriteJSON(w, http.StatusCreated, viewWorkspace(ws))
}

func (a *api) listWorkspaces(w http.ResponseWriter, r *http.Request) {
	list, err := a.tenants.ListWorkspaces(r.Context())
	if err != nil {
		WriteError(w, a.internal("list workspaces", err))
		return
	}
	def, _ := a.tenants.GetWorkspace(r.Context(), redirect.DefaultWorkspaceID)
	WriteJSON(w, http.StatusOK, listWorkspacesResponse{Workspaces: viewWorkspaces(append([]*tenancy.Workspace{def}, list...))})
}

func (a *api) createKey(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	var req createKeyRequest
	if aerr := decodeBody(w, r, &req); aerr != nil {
		WriteError(w, aerr)
		return
	}
	if req.Name == "" { // the document requires it
		WriteError(w, BadRequest(CodeInvalidField, "name", "required"))
		return
	}
	ws := p.WorkspaceID
	if req.WorkspaceID != "" && req.WorkspaceID != ws {
		if !p.Has(tenancy.ScopeAdmin) {
			WriteError(w, &APIError{status: http.StatusForbidden, Code: CodeMissingScope, Field: "workspace_id",
				Message: "only a bootstrap key may create keys in another workspace; leave workspace_id out"})
			return
		}
		if _, err := a.tenants.GetWorkspace(r.Context(), req.WorkspaceID); err != nil {
			if errors.Is(err, tenancy.ErrWorkspaceNotFound) {
				WriteError(w, &APIError{status: http.StatusNotFound, Code: CodeNotFound, Field: "workspace_id", Message: "no workspace with this id"})
				return
			}
			WriteError(w, a.internal("get workspace", err))
			return
		}
		ws = req.WorkspaceID
	}
	if err := tenancy.ValidateScopes(req.Scopes); err != nil {
		WriteError(w, a.fieldOrInternal("validate scopes", err))
		return
	}
	for i, sc := range req.Scopes {
		if !p.Has(sc) { // no key grants more than it holds
			WriteError(w, &APIError{status: http.StatusForbidden, Code: CodeMissingScope, Field: "scopes[" + strconv.Itoa(i) + "]",
				Message: "this API key does not hold " + sc + ", so it cannot grant it"})
			return
		}
	}
	k, token := tenancy.NewAPIKey(ws, req.Name, req.Scopes, p.KeyID, a.cfg.Now().UTC())
	if err := a.tenants.CreateAPIKey(r.Context(), k); err != nil {
		WriteError(w, a.fieldOrInternal("create key", err))
		return
	}
	a.auditIn(r.Context(), ws, audit.KeyCreated, "key", k.ID, nil)
	w.Header().Set("Location", "/v1/keys/"+k.ID)
	ShownOnce(w, "key")
	WriteJSON(w, http.StatusCreated, createdKeyResponse{keyView: viewKey(k), Key: token})
}

func (a *api) listKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := a.tenants.ListAPIKeys(r.Context(), principal(r).WorkspaceID)
	if err != nil {
		WriteError(w, a.internal("list keys", err))
		return
	}
	out := listKeysResponse{Keys: make([]keyView, 0, len(keys))}
	for _, k := range keys {
		out.Keys = append(out.Keys, viewKey(k))
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *api) revokeKey(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	ws := p.WorkspaceID
	if p.Has(tenancy.ScopeAdmin) {
		ws = "" // bootstrap keys, which create keys in any workspace, revoke them there too
	}
	// A key may revoke only keys whose scopes it holds, as it may create
	// only those: a keys:write key must not take down a stronger one.
	// Scopes never change once a key exists, so checking before revoking
	// is not a race.
	target, err := a.tenants.GetAPIKey(r.Context(), ws, r.PathValue("id"))
	if err == nil {
		for _, sc := range target.Scopes {
			if !p.Has(sc) {
				WriteError(w, &APIError{status: http.StatusForbidden, Code: CodeMissingScope, Field: "id",
					Message: "key " + target.ID + " holds " + sc + ", which this API key does not hold, so it cannot revoke it"})
				return
			}
		}
	}
	k, err := a.tenants.RevokeAPIKey(r.Context(), ws, r.PathValue("id"), a.cfg.Now().UTC())
	if errors.Is(err, tenancy.ErrKeyNotFound) {
		WriteError(w, &APIError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no API key with this id"})
		return
	}
	if err != nil {
		WriteError(w, a.internal("revoke key", err))
		return
	}
	a.auditIn(r.Context(), k.WorkspaceID, audit.KeyRevoked, "key", k.ID, nil)
	WriteJSON(w, http.StatusOK, viewKey(k))
}

func (a *api) addDomain(w http.ResponseWriter, r *http.Request) {
	var req addDomainRequest
	if aerr := decodeBody(w, r, &req); aerr != nil {
		WriteError(w, aerr)
		return
	}
	name := strings.ToLower(req.Domain)
	if name == a.cfg.DefaultDomain {
		WriteError(w, &APIError{status: http.StatusConflict, Code: CodeDomainTaken, Field: "domain",
			Message: "this is the default domain, which every workspace may use already"})
		return
	}
	d, err := a.tenants.AddDomain(r.Context(), &tenancy.Domain{Domain: name, WorkspaceID: principal(r).WorkspaceID, CreatedAt: a.cfg.Now().UTC()})
	if errors.Is(err, tenancy.ErrDomainTaken) {
		WriteError(w, &APIError{status: http.StatusConflict, Code: CodeDomainTaken, Field: "domain",
			Message: "another workspace has registered " + name})
		return
	}
	if err != nil {
		WriteError(w, a.fieldOrInternal("add domain", err))
		return
	}
	a.audit(r.Context(), audit.DomainAdded, "domain", d.Domain, nil)
	WriteJSON(w, http.StatusCreated, d)
}

func (a *api) listDomains(w http.ResponseWriter, r *http.Request) {
	list, err := a.tenants.ListDomains(r.Context(), principal(r).WorkspaceID)
	if err != nil {
		WriteError(w, a.internal("list domains", err))
		return
	}
	if list == nil {
		list = []*tenancy.Domain{}
	}
	WriteJSON(w, http.StatusOK, listDomainsResponse{Domains: list})
}

func (a *api) removeDomain(w http.ResponseWriter, r *http.Request) {
	name := strings.ToLower(r.PathValue("domain"))
	d, err := a.tenants.GetDomain(r.Context(), name)
	if err == nil && d.WorkspaceID != principal(r).WorkspaceID {
		err = tenancy.ErrDomainNotFound
	}
	if err == nil {
		err = a.tenants.RemoveDomain(r.Context(), d.WorkspaceID, name)
	}
	if errors.Is(err, tenancy.ErrDomainNotFound) {
		WriteError(w, &APIError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no domain " + name + " in this workspace"})
		return
	}
	if err != nil {
		WriteError(w, a.internal("remove domain", err))
		return
	}
	a.audit(r.Context(), audit.DomainRemoved, "domain", name, nil)
	WriteJSON(w, http.StatusOK, d)
}

// auditQuery are the query parameters of GET /v1/audit.
var auditQuery = []queryParam{
	{"target_id", "string", "Only changes of this link, key, domain or template."},
	{"key_id", "string", "Only changes made with this API key."},
	{"action", "string", "Only this action, e.g. link.updated or key.revoked."},
	{"since", "date-time", "At or after (RFC 3339)."},
	{"until", "date-time", "Before (RFC 3339)."},
	{"limit", "integer", "Page size, 1-1000 (default 50)."},
	{"cursor", "string", "The next_cursor of the previous page."},
}

var auditParams = queryNames(auditQuery)

func (a *api) listAudit(w http.ResponseWriter, r *http.Request) {
	values := r.URL.Query()
	q := audit.Query{WorkspaceID: principal(r).WorkspaceID}
	if aerr := CheckQuery(values, auditParams); aerr != nil {
		WriteError(w, aerr)
		return
	}
	q.TargetID, q.KeyID, q.Action, q.Cursor = values.Get("target_id"), values.Get("key_id"), values.Get("action"), values.Get("cursor")
	for name, dst := range map[string]*time.Time{"since": &q.Since, "until": &q.Until} {
		if s := values.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				WriteError(w, BadRequest(CodeInvalidField, name, "want an RFC 3339 time such as 2026-12-31T23:59:59Z"))
				return
			}
			*dst = t
		}
	}
	if s := values.Get("limit"); s != "" {
		n, err := ParseLimit(s)
		if err != nil {
			WriteError(w, BadRequest(CodeInvalidField, "limit", err.Error()))
			return
		}
		q.Limit = n
	}
	recs, next, err := a.auditLog.Query(r.Context(), q)
	if err != nil {
		WriteError(w, a.fieldOrInternal("read audit log", err))
		return
	}
	if recs == nil {
		recs = []*audit.Record{}
	}
	WriteJSON(w, http.StatusOK, auditResponse{Records: recs, NextCursor: next})
}

// fieldOrInternal answers a *FieldError with a 400 naming the field, and
// anything else with a logged 500.
func (a *api) fieldOrInternal(doing string, err error) *APIError {
	if fe, ok := errors.AsType[*redirect.FieldError](err); ok {
		return BadRequest(CodeInvalidField, fe.Field, fe.Message)
	}
	return a.internal(doing, err)
}

// audit records a change by the context's principal in its workspace.
func (a *api) audit(ctx context.Context, action, targetType, targetID string, changes []string) {
	a.auditIn(ctx, principalOf(ctx).WorkspaceID, action, targetType, targetID, changes)
}

// auditIn records a change by the context's principal in workspace. A
// failure is logged, not answered: the change itself is already durable.
func (a *api) auditIn(ctx context.Context, workspace, action, targetType, targetID string, changes []string) {
	rec := newAuditRecord(principalOf(ctx), a.cfg.Now().UTC(), workspace, action, targetType, targetID, changes)
	if err := a.auditLog.Append(context.WithoutCancel(ctx), rec); err != nil {
		a.log.Error("link api: append audit record", "action", action, "target", targetID, "err", err)
	}
}

// linkChanges names the JSON fields that differ between old and l (nil
// when old is nil).
func linkChanges(old, l *redirect.Link) []string {
	if old == nil {
		return nil
	}
	var before, after map[string]json.RawMessage
	b1, err1 := json.Marshal(old)
	b2, err2 := json.Marshal(l)
	if err1 != nil || err2 != nil || json.Unmarshal(b1, &before) != nil || json.Unmarshal(b2, &after) != nil {
		return nil
	}
	var changed []string
	for k := range maps.Keys(after) {
		if k != "updated_at" && string(before[k]) != string(after[k]) {
			changed = append(changed, k)
		}
	}
	for k := range maps.Keys(before) {
		if _, ok := after[k]; !ok {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	return changed
}

// decodeCreate decodes a create body for the request's workspace and checks
// that the workspace may use the link's domain.
func (a *api) decodeCreate(ctx context.Context, body []byte) (decodedCreate, *APIError) {
	return a.decodeCreateIn(ctx, principalOf(ctx).WorkspaceID, body)
}

// decodeCreateIn is decodeCreate for workspace.
func (a *api) decodeCreateIn(ctx context.Context, workspace string, body []byte) (decodedCreate, *APIError) {
	d, aerr := decodeCreate(body, a.cfg.DefaultDomain, a.cfg.Now().UTC())
	if aerr != nil {
		return d, aerr
	}
	d.link.WorkspaceID = workspace
	if aerr := a.allowDomain(ctx, d.link); aerr != nil {
		return d, aerr
	}
	if aerr := a.applyTemplate(ctx, &d); aerr != nil {
		return d, aerr
	}
	return d, nil
}

// allowDomain checks that l's workspace may create links on l's domain: the
// default domain, or one it registered.
func (a *api) allowDomain(ctx context.Context, l *redirect.Link) *APIError {
	if l.Domain == a.cfg.DefaultDomain {
		return nil
	}
	d, err := a.lookupDomain(ctx, l.Domain) // remembered per bulk job
	if errors.Is(err, tenancy.ErrDomainNotFound) || (err == nil && d.WorkspaceID != l.WorkspaceID) {
		return &APIError{status: http.StatusBadRequest, Code: CodeDomainNotAllowed, Field: "domain",
			Message: l.Domain + " is not a domain of this workspace; register it with POST /v1/domains, or use " + a.cfg.DefaultDomain}
	}
	if err != nil {
		return a.internal("get domain", err)
	}
	return nil
}
