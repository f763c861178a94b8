package webhook

import (
	"fmt"
	"net/http"
)

// workspace answers 403 and returns false when the request has no
// workspace.
func (a *api) workspace(w http.ResponseWriter, r *http.Request) (string, bool) {
	if a.cfg.Workspace == nil {
		return DefaultWorkspace, true
	}
	ws, err := a.cfg.Workspace(r)
	if err != nil || ws == "" {
		msg := "no workspace for this request"
		if err != nil {
			msg = err.Error()
		}
		writeError(w, http.StatusForbidden, "forbidden", "", msg)
		return "", false
	}
	return ws, true
}

// endpoint returns the endpoint of the request's path in the request's
// workspace, or answers 404 (also for another workspace's endpoint).
func (a *api) endpoint(w http.ResponseWriter, r *http.Request) (RegisteredEndpoint, bool) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return RegisteredEndpoint{}, false
	}
	id := r.PathValue("id")
	e, err := a.reg.Get(id)
	if err == nil && e.WorkspaceID != ws {
		err = fmt.Errorf("endpoint %q: %w", id, ErrNotFound)
	}
	if err != nil {
		a.fail(w, err)
		return RegisteredEndpoint{}, false
	}
	return e, true
}
