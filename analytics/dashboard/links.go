package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/clicktrail/clicktrail/analytics"
)

// maxLinkIDs bounds the ids of one GET /dashboard/api/links.
const maxLinkIDs = 100

// links answers the domain and path of the session workspace's links
// named by the id parameters (the top lists and a link's page show them);
// other workspaces' and unknown ids are left out.
func (d *dash) links(w http.ResponseWriter, r *http.Request) {
	p := r.Context().Value(principalKey{}).(Principal)
	ids := r.URL.Query()["id"]
	if len(ids) > maxLinkIDs {
		ids = ids[:maxLinkIDs]
	}
	out := struct {
		Links []Link `json:"links"`
	}{Links: []Link{}}
	for _, id := range ids {
		ws, err := d.cfg.Links.WorkspaceOf(r.Context(), id)
		if errors.Is(err, analytics.ErrNotFound) || (err == nil && ws != p.WorkspaceID) {
			continue
		}
		var l Link
		if err == nil {
			l, err = d.cfg.Links.Link(r.Context(), id)
		}
		if errors.Is(err, analytics.ErrNotFound) {
			continue
		}
		if err != nil {
			d.cfg.Logger.ErrorContext(r.Context(), "dashboard: read link", "id", id, "err", err)
			http.Error(w, `{"error":{"code":"internal","message":"reading links failed"}}`, http.StatusInternalServerError)
			return
		}
		out.Links = append(out.Links, l)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
