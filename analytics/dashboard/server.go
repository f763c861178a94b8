package dashboard

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"slices"

	"github.com/clicktrail/clicktrail/analytics"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.ParseFS(assets, "assets/page.html"))

// Header values of every answer.
const (
	contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	cookieName = "clicktrail_dashboard"
	cookiePath = "/dashboard"
)

// Mounts returns the dashboard's handlers by pattern, for the link API's
// Public mounts (no bearer-key guard: the dashboard checks its sessions).
func Mounts(cfg Config) (map[string]http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	d := &dash{cfg: cfg, sessions: newSessions(cfg.SessionTTL, cfg.MaxSessions, cfg.Now)}
	stats, err := analytics.Mounts(analytics.Config{Reader: cfg.Reader, Links: cfg.Links, Now: cfg.Now, Logger: cfg.Logger,
		Workspace: func(r *http.Request) (string, error) {
			if p, ok := r.Context().Value(principalKey{}).(Principal); ok {
				return p.WorkspaceID, nil
			}
			return "", errors.New("no session")
		}})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dashboard", d.page)
	mux.HandleFunc("GET /dashboard/links/{id}", d.page)
	mux.HandleFunc("POST /dashboard/sign-in", d.signIn)
	mux.HandleFunc("POST /dashboard/sign-out", d.signOut)
	mux.Handle("GET /dashboard/assets/", http.StripPrefix("/dashboard", http.FileServerFS(assetFiles{})))
	mux.Handle("GET /dashboard/api/stats", d.data(stats[analytics.WorkspaceStatsPattern]))
	mux.Handle("GET /dashboard/api/links/{id}/stats", d.data(stats[analytics.LinkStatsPattern]))
	mux.Handle("GET /dashboard/api/links", d.data(http.HandlerFunc(d.links)))
	mux.HandleFunc("/dashboard/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found", http.StatusNotFound)
	})
	h := secureHeaders(mux)
	return map[string]http.Handler{"/dashboard": h, "/dashboard/": h}, nil
}

// assetFiles serves the embedded CSS and JS, nothing else (not the page
// template, not a directory listing).
type assetFiles struct{}

func (assetFiles) Open(name string) (fs.File, error) {
	if !slices.Contains([]string{"assets/app.css", "assets/app.js"}, name) {
		return nil, fs.ErrNotExist
	}
	return assets.Open(name)
}

type dash struct {
	cfg      Config
	sessions *sessions
}

type principalKey struct{}

// secureHeaders sets the headers every dashboard answer carries.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// current returns the request's live session and its id.
func (d *dash) current(r *http.Request) (*session, string, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, "", false
	}
	s, ok := d.sessions.get(c.Value)
	return s, c.Value, ok
}

// data guards the page's data requests: a live session whose key is
// still active, else 401 (the page then shows the sign-in form).
func (d *dash) data(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, id, ok := d.current(r)
		if ok {
			if err := d.cfg.Keys.Active(r.Context(), s.principal); err != nil {
				if !errors.Is(err, ErrBadKey) {
					d.cfg.Logger.ErrorContext(r.Context(), "dashboard: check key", "err", err)
					http.Error(w, `{"error":{"code":"internal","message":"checking the key failed"}}`, http.StatusInternalServerError)
					return
				}
				d.sessions.end(id)
				ok = false
			}
		}
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"unauthorized","message":"sign in again"}}` + "\n"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, s.principal)))
	})
}
