package analytics

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/clicktrail/clicktrail/internal/apijson"
)

// Patterns of the mounted routes (method-qualified ServeMux patterns).
const (
	LinkStatsPattern      = "GET /v1/links/{id}/stats"
	WorkspaceStatsPattern = "GET /v1/stats"
)

// Config configures the stats API.
type Config struct {
	Reader Reader
	Links  Links
	// Workspace returns the workspace a request acts in (the link API's
	// authenticated principal).
	Workspace func(*http.Request) (string, error)
	Now       func() time.Time // nil means time.Now
	Logger    *slog.Logger     // nil discards
}

// Validate names the missing field.
func (c Config) Validate() error {
	var errs []error
	if c.Reader == nil {
		errs = append(errs, errors.New("analytics: Reader: required"))
	}
	if c.Links == nil {
		errs = append(errs, errors.New("analytics: Links: required"))
	}
	if c.Workspace == nil {
		errs = append(errs, errors.New("analytics: Workspace: required"))
	}
	return errors.Join(errs...)
}

// Mounts returns the stats API's handlers by pattern, for the link API's
// Mount (the scope, analytics:read, is the mount's).
func Mounts(cfg Config) (map[string]http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &api{cfg}
	return map[string]http.Handler{
		LinkStatsPattern:      http.HandlerFunc(a.linkStats),
		WorkspaceStatsPattern: http.HandlerFunc(a.workspaceStats),
	}, nil
}

type api struct{ cfg Config }

var (
	linkParams      = []string{"from", "to", "interval", "tz", "group_by", "bots"}
	workspaceParams = []string{"from", "to", "interval", "tz", "bots", "limit"}
)

func (a *api) linkStats(w http.ResponseWriter, r *http.Request) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return
	}
	p, err := parseParams(r.URL.Query(), linkParams, a.cfg.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	owner, err := a.cfg.Links.WorkspaceOf(r.Context(), id)
	if err == nil && owner != ws {
		err = ErrNotFound // another workspace's link is not there for this one
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := newStats(a.cfg.Reader, p, ws, id).linkStats(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) workspaceStats(w http.ResponseWriter, r *http.Request) {
	ws, ok := a.workspace(w, r)
	if !ok {
		return
	}
	p, err := parseParams(r.URL.Query(), workspaceParams, a.cfg.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := newStats(a.cfg.Reader, p, ws, "").workspaceStats(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) workspace(w http.ResponseWriter, r *http.Request) (string, bool) {
	ws, err := a.cfg.Workspace(r)
	if err != nil || ws == "" {
		writeError(w, http.StatusForbidden, apiError{Code: "missing_scope", Message: "no workspace for this request"})
		return "", false
	}
	return ws, true
}

// fail answers err: 400 naming a bad parameter, 404 for a link that is not
// the workspace's, 500 (logged) for the rest.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *ParamError
	switch {
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, apiError{Code: "invalid_field", Field: pe.Param, Message: pe.Message})
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, apiError{Code: "not_found", Message: "no such link"})
	default:
		a.cfg.Logger.ErrorContext(r.Context(), "stats", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, apiError{Code: "internal", Message: "reading stats failed; see the server log"})
	}
}

// apiError is the link API's error member:
// {"error":{"code":"invalid_field","field":"tz","message":"..."}}.
type apiError = apijson.ErrorBody

func writeError(w http.ResponseWriter, status int, e apiError) { apijson.Error(w, status, e) }

func writeJSON(w http.ResponseWriter, status int, v any) { apijson.Write(w, status, v) }
