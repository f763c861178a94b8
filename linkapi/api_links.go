package linkapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/redirect"
)

// Lifecycle event types passed to APIConfig.OnLinkEvent.
const (
	EventLinkCreated  = "link.created"  // POST /v1/links, PUT /v1/links/external/{external_id} creating
	EventLinkUpdated  = "link.updated"  // PATCH, PUT updating
	EventLinkDisabled = "link.disabled" // PATCH with "disabled": true on an enabled link
	EventLinkDeleted  = "link.deleted"  // DELETE /v1/links/{id}
)

// emit reports a durable change of l (old: before it, when it was an
// update) to the audit log and the configured callbacks.
func (a *api) emit(ctx context.Context, eventType string, old, l *redirect.Link) {
	a.audit(ctx, eventType, "link", l.ID, linkChanges(old, l))
	if a.cfg.OnLinkEvent != nil {
		a.cfg.OnLinkEvent(eventType, l)
	}
}

// readBody reads a request body of at most maxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *APIError) {
	return ReadBodyLimit(w, r, maxBodyBytes)
}

// ReadBodyLimit reads a request body of at most limit bytes.
func ReadBodyLimit(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *APIError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &APIError{status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge,
				Message: fmt.Sprintf("request body is larger than %d bytes", limit)}
		}
		return nil, BadRequest(CodeInvalidJSON, "", "reading the request body: "+err.Error())
	}
	return body, nil
}

func notFound() *APIError {
	return &APIError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no link with this id"}
}

// checkDestinations checks every URL of l with the one URL rule (the
// server's DestinationPolicy and its workspace's host lists) and leaves
// their normalized forms in l.
func (a *api) checkDestinations(ctx context.Context, l *redirect.Link) *APIError {
	ws, err := a.tenants.GetWorkspace(ctx, l.WorkspaceID)
	if err != nil {
		return a.internal("get workspace", err)
	}
	return a.destinationAnswer(a.cfg.Destinations.CheckLink(ctx, l, ws))
}

// destinationAnswer is the answer to a URL check's error: nil, a 400
// naming the field and the rule (invalid_field when the URL is malformed,
// destination_refused when the policy refuses it), or a 500.
func (a *api) destinationAnswer(err error) *APIError {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*urlrule.Error](err); ok {
		return urlRefused(e, CodeDestinationRefused)
	}
	return a.internal("check destinations", err)
}

// maxSuffixAttempts bounds the free suffixes tried for one on_conflict
// "suffix" create: each try loses only to a concurrent create of the same
// base path that took the same suffix, so a loser of n concurrent creates
// needs at most n tries.
const maxSuffixAttempts = 64

// insert stores the new link of d, picking another path when d allows it,
// and reports link.created.
func (a *api) insert(ctx context.Context, d decodedCreate) *APIError {
	l := d.link
	if aerr := a.checkDestinations(ctx, l); aerr != nil {
		return aerr
	}
	base := l.Path
	tries := maxPathAttempts
	if d.onConflict == OnConflictSuffix {
		tries = maxSuffixAttempts
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = a.cfg.Store.Create(ctx, l)
		if !errors.Is(err, redirect.ErrPathTaken) || attempt == tries {
			break
		}
		if d.generated {
			l.Path = redirect.RandomPath()
		} else if d.onConflict == OnConflictSuffix {
			p, ferr := a.cfg.Store.NextFreePath(ctx, l.Domain, base)
			if ferr != nil {
				return a.internal("find a free path", ferr)
			}
			l.Path = p
		} else {
			break
		}
	}
	if d.generated && errors.Is(err, redirect.ErrPathTaken) { // maxPathAttempts random slugs taken
		return a.internal("pick a free random path", err)
	}
	if aerr := a.storeError(err, l); aerr != nil {
		return aerr
	}
	a.emit(ctx, EventLinkCreated, nil, l)
	return nil
}

// storeError turns the error of a Store write of l into its answer.
func (a *api) storeError(err error, l *redirect.Link) *APIError {
	if err == nil {
		return nil
	}
	if pt, ok := errors.AsType[*redirect.PathTakenError](err); ok {
		return &APIError{status: http.StatusConflict, Code: CodePathTaken, Field: "path",
			Message: "path " + l.Path + " is taken on " + l.Domain, ExistingID: a.ownLinkID(pt.ExistingID, l.WorkspaceID)}
	}
	if xt, ok := errors.AsType[*redirect.ExternalIDTakenError](err); ok {
		return &APIError{status: http.StatusConflict, Code: CodeExternalIDTaken, Field: "external_id",
			Message: "another link has external_id " + l.ExternalID, ExistingID: xt.ExistingID}
	}
	if errors.Is(err, redirect.ErrNotFound) {
		return notFound()
	}
	if fe, ok := errors.AsType[*redirect.FieldError](err); ok { // e.g. a suffixed path too long
		return BadRequest(CodeInvalidField, fe.Field, fe.Message)
	}
	return a.internal("store link", err)
}

// ownLinkID returns id when the link it names is in workspace, else "": a
// path on a shared domain may be held by another workspace, whose link ids
// are not the caller's to learn. (External ids are unique per workspace, so
// their holder is always the caller's own.)
func (a *api) ownLinkID(id, workspace string) string {
	if id == "" {
		return ""
	}
	// A local point read on the conflict path only; the store's read needs
	// no request context.
	holder, err := a.cfg.Store.Get(context.Background(), id)
	if err != nil || holder.WorkspaceID != workspace {
		return ""
	}
	return id
}

// internal logs err and returns the 500 answer.
func (a *api) internal(doing string, err error) *APIError {
	a.log.Error("link api: "+doing, "err", err)
	return &APIError{status: http.StatusInternalServerError, Code: CodeInternal, Message: doing + " failed; see the server log"}
}

// loadLink returns the link the route's {id} names.
func (a *api) loadLink(r *http.Request) (*redirect.Link, *APIError) {
	l, err := a.cfg.Store.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, redirect.ErrNotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, a.internal("get link", err)
	}
	if l.WorkspaceID != principal(r).WorkspaceID {
		return nil, notFound() // another workspace's link: not even its existence shows
	}
	return l, nil
}

func deletedError(l *redirect.Link) *APIError {
	return &APIError{status: http.StatusConflict, Code: CodeLinkDeleted,
		Message: "link " + l.ID + " was deleted at " + l.DeletedAt.UTC().Format("2006-01-02T15:04:05Z") + " and cannot change"}
}

// patchLink answers PATCH /v1/links/{id}; see linkPatch for the semantics.
func (a *api) patchLink(w http.ResponseWriter, r *http.Request) {
	body, aerr := readBody(w, r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	old, aerr := a.loadLink(r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	if old.DeletedAt != nil {
		WriteError(w, deletedError(old))
		return
	}
	l, aerr := decodePatch(body, old, a.cfg.Now().UTC())
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	if aerr := a.update(r.Context(), old, l); aerr != nil {
		WriteError(w, aerr)
		return
	}
	a.respondLink(w, http.StatusOK, l)
}

// update stores l over old (same id) and reports the change.
func (a *api) update(ctx context.Context, old, l *redirect.Link) *APIError {
	if aerr := a.checkDestinations(ctx, l); aerr != nil {
		return aerr
	}
	if aerr := a.storeError(a.cfg.Store.Put(ctx, l), l); aerr != nil {
		return aerr
	}
	event := EventLinkUpdated
	if l.Disabled && !old.Disabled {
		event = EventLinkDisabled
	}
	a.emit(ctx, event, old, l)
	return nil
}

// deleteLink answers DELETE /v1/links/{id}: the link is disabled for good,
// keeps its path reserved and is still shown by GET, with deleted_at. A
// second DELETE answers the same link without another event.
func (a *api) deleteLink(w http.ResponseWriter, r *http.Request) {
	l, aerr := a.loadLink(r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	if l.DeletedAt == nil {
		now := a.cfg.Now().UTC()
		l.Disabled, l.DeletedAt, l.UpdatedAt = true, &now, now
		if aerr := a.storeError(a.cfg.Store.Put(r.Context(), l), l); aerr != nil {
			WriteError(w, aerr)
			return
		}
		a.emit(r.Context(), EventLinkDeleted, nil, l)
	}
	a.respondLink(w, http.StatusOK, l)
}
