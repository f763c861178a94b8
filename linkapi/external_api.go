package linkapi

import (
	"errors"
	"net/http"

	"github.com/clicktrail/clicktrail/redirect"
)

// loadExternal returns the link the route's {external_id} names, or nil
// when there is none.
func (a *api) loadExternal(r *http.Request) (*redirect.Link, *APIError) {
	ext := r.PathValue("external_id")
	if err := redirect.ValidateExternalID(ext); err != nil {
		fe, _ := errors.AsType[*redirect.FieldError](err)
		return nil, BadRequest(CodeInvalidField, fe.Field, fe.Message)
	}
	l, err := a.cfg.Store.GetByExternalID(r.Context(), principal(r).WorkspaceID, ext)
	if errors.Is(err, redirect.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, a.internal("get link by external id", err)
	}
	return l, nil
}

// getExternal answers GET /v1/links/external/{external_id}.
func (a *api) getExternal(w http.ResponseWriter, r *http.Request) {
	l, aerr := a.loadExternal(r)
	if aerr == nil && l == nil {
		aerr = &APIError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no link with this external_id"}
	}
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	a.respondLink(w, http.StatusOK, l)
}

// putExternal answers PUT /v1/links/external/{external_id}, an upsert with
// the body of POST /v1/links: it creates the link (201) or replaces every
// field of the existing one the body can set (200; absent members take
// their defaults, as in a create). path and domain, when given, must be the
// existing link's; external_id, when given, must be the URL's. Running the
// same PUT twice leaves one link. Of two concurrent first PUTs one creates
// and the other updates.
func (a *api) putExternal(w http.ResponseWriter, r *http.Request) {
	body, aerr := readBody(w, r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	for attempt := 0; attempt < 2; attempt++ {
		status, l, aerr := a.upsertExternal(r, body)
		if aerr != nil && aerr.Code == CodeExternalIDTaken && attempt == 0 {
			continue // a concurrent PUT created it first: update it
		}
		if aerr != nil {
			WriteError(w, aerr)
			return
		}
		if status == http.StatusCreated {
			w.Header().Set("Location", "/v1/links/"+l.ID)
		}
		a.respondLink(w, status, l)
		return
	}
}

func (a *api) upsertExternal(r *http.Request, body []byte) (int, *redirect.Link, *APIError) {
	old, aerr := a.loadExternal(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	ext := r.PathValue("external_id")
	d, aerr := a.decodeCreate(r.Context(), body)
	if aerr != nil {
		return 0, nil, aerr
	}
	l := d.link
	if l.ExternalID != "" && l.ExternalID != ext {
		return 0, nil, BadRequest(CodeInvalidField, "external_id", "differs from the external_id in the URL; leave it out")
	}
	l.ExternalID = ext
	if old == nil {
		if aerr := a.insert(r.Context(), d); aerr != nil {
			return 0, nil, aerr
		}
		return http.StatusCreated, l, nil
	}
	if old.DeletedAt != nil {
		return 0, nil, deletedError(old)
	}
	if !d.generated && l.Path != old.Path {
		return 0, nil, BadRequest(CodeInvalidField, "path", "cannot be changed; leave it out or send "+old.Path)
	}
	l.ID, l.Path, l.Domain, l.CreatedAt, l.Disabled = old.ID, old.Path, old.Domain, old.CreatedAt, old.Disabled
	if aerr := a.update(r.Context(), old, l); aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusOK, l, nil
}
