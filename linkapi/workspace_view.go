package linkapi

import (
	"time"

	"github.com/clicktrail/clicktrail/linkapi/tenancy"
)

// workspaceView is a workspace as the API answers it: its host lists are []
// when empty, never null, and a time not known (the default workspace was
// never created; a workspace never changed has no update) is omitted. The
// stored record (tenancy.Workspace) keeps its own encoding.
type workspaceView struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	CreatedAt             time.Time `json:"created_at,omitzero"`
	DestinationAllowHosts []string  `json:"destination_allow_hosts"`
	DestinationDenyHosts  []string  `json:"destination_deny_hosts"`
	UpdatedAt             time.Time `json:"updated_at,omitzero"`
}

func viewWorkspace(w *tenancy.Workspace) workspaceView {
	v := workspaceView{ID: w.ID, Name: w.Name, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		DestinationAllowHosts: w.DestinationAllowHosts, DestinationDenyHosts: w.DestinationDenyHosts}
	if v.DestinationAllowHosts == nil {
		v.DestinationAllowHosts = []string{}
	}
	if v.DestinationDenyHosts == nil {
		v.DestinationDenyHosts = []string{}
	}
	return v
}

func viewWorkspaces(ws []*tenancy.Workspace) []workspaceView {
	out := make([]workspaceView, len(ws))
	for i, w := range ws {
		out[i] = viewWorkspace(w)
	}
	return out
}
