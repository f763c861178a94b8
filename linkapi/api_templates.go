package linkapi

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
)

// templateRoutes manage the workspace's UTM templates (template.go).
var templateRoutes = []apiRoute{
	{
		method: "PUT", pattern: "/v1/templates/{name}",
		summary: "Create or replace a UTM template. utm values may hold {{placeholders}} filled from a create's values; " +
			"force lists the fields that replace a link's own (the others fill empty fields). " +
			`The template named "default" applies to creates that name none`,
		request: templateRequest{}, response: templates.Template{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
		scopes: []string{tenancy.ScopeLinksWrite}, handle: (*api).putTemplate,
	},
	{
		method: "GET", pattern: "/v1/templates", summary: "List the workspace's UTM templates",
		response: listTemplatesResponse{}, status: http.StatusOK,
		scopes: []string{tenancy.ScopeLinksRead}, handle: (*api).listTemplates,
	},
	{
		method: "GET", pattern: "/v1/templates/{name}", summary: "Get a UTM template",
		response: templates.Template{}, status: http.StatusOK, errors: []int{http.StatusNotFound},
		scopes: []string{tenancy.ScopeLinksRead}, handle: (*api).getTemplate,
	},
	{
		method: "DELETE", pattern: "/v1/templates/{name}", summary: "Delete a UTM template; links made with it keep their UTM",
		response: templates.Template{}, status: http.StatusOK, errors: []int{http.StatusNotFound},
		scopes: []string{tenancy.ScopeLinksWrite}, handle: (*api).deleteTemplate,
	},
}

type templateRequest struct {
	UTM   UTMTemplateFields `json:"utm"`
	Force []string          `json:"force"`
}

// UTMTemplateFields are a template's UTM values, as the request sends them.
type UTMTemplateFields struct {
	Source   string `json:"source"`
	Medium   string `json:"medium"`
	Campaign string `json:"campaign"`
	Term     string `json:"term"`
	Content  string `json:"content"`
}

type listTemplatesResponse struct {
	Templates []*templates.Template `json:"templates"`
}

func templateNotFound() *APIError {
	return &APIError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no template with this name"}
}

func (a *api) putTemplate(w http.ResponseWriter, r *http.Request) {
	var req templateRequest
	if aerr := decodeBody(w, r, &req); aerr != nil {
		WriteError(w, aerr)
		return
	}
	t := &templates.Template{Name: r.PathValue("name"), WorkspaceID: principal(r).WorkspaceID, Force: req.Force, UpdatedAt: a.cfg.Now().UTC()}
	t.UTM.Source, t.UTM.Medium, t.UTM.Campaign, t.UTM.Term, t.UTM.Content = req.UTM.Source, req.UTM.Medium, req.UTM.Campaign, req.UTM.Term, req.UTM.Content
	t.Force = slices.Compact(slices.Sorted(slices.Values(t.Force)))
	if err := a.templates.Put(r.Context(), t); err != nil {
		WriteError(w, a.fieldOrInternal("store template", err))
		return
	}
	a.audit(r.Context(), "template.put", "template", t.Name, nil)
	WriteJSON(w, http.StatusOK, t)
}

func (a *api) listTemplates(w http.ResponseWriter, r *http.Request) {
	list, err := a.templates.List(r.Context(), principal(r).WorkspaceID)
	if err != nil {
		WriteError(w, a.internal("list templates", err))
		return
	}
	if list == nil {
		list = []*templates.Template{}
	}
	WriteJSON(w, http.StatusOK, listTemplatesResponse{Templates: list})
}

func (a *api) getTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := a.templates.Get(r.Context(), principal(r).WorkspaceID, r.PathValue("name"))
	if errors.Is(err, templates.ErrNotFound) {
		WriteError(w, templateNotFound())
		return
	}
	if err != nil {
		WriteError(w, a.internal("get template", err))
		return
	}
	WriteJSON(w, http.StatusOK, t)
}

func (a *api) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	ws, name := principal(r).WorkspaceID, r.PathValue("name")
	t, err := a.templates.Get(r.Context(), ws, name)
	if err == nil {
		err = a.templates.Delete(r.Context(), ws, name)
	}
	if errors.Is(err, templates.ErrNotFound) {
		WriteError(w, templateNotFound())
		return
	}
	if err != nil {
		WriteError(w, a.internal("delete template", err))
		return
	}
	a.audit(r.Context(), "template.deleted", "template", name, nil)
	WriteJSON(w, http.StatusOK, t)
}

// applyTemplate applies the create's template (or the workspace's default
// one) to its link and checks that every personalization value was used.
func (a *api) applyTemplate(ctx context.Context, d *decodedCreate) *APIError {
	name := d.template
	if name == "" {
		name = templates.DefaultName
	}
	t, err := a.lookupTemplate(ctx, d.link.WorkspaceID, name) // remembered per bulk job
	switch {
	case errors.Is(err, templates.ErrNotFound) && d.template == "":
		// no default template
	case errors.Is(err, templates.ErrNotFound):
		return BadRequest(CodeInvalidField, "template", "this workspace has no template "+d.template+"; see GET /v1/templates")
	case err != nil:
		return a.internal("get template", err)
	default:
		if fe := t.Apply(d.link, d.values, d.used); fe != nil {
			return BadRequest(CodeInvalidField, fe.Field, fe.Message)
		}
		if err := redirect.ValidateUTM(&d.link.UTM); err != nil {
			return a.fieldOrInternal("validate utm", err)
		}
	}
	if fe := templates.UnusedValue(d.values, d.used); fe != nil {
		return BadRequest(CodeInvalidField, fe.Field, fe.Message)
	}
	return nil
}
