package dashboard

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// scopeAnalyticsRead is the scope a key needs here (tenancy's name);
// admin implies it.
const (
	scopeAnalyticsRead = "analytics:read"
	scopeAdmin         = "admin"
)

// pageData is what page.html renders.
type pageData struct {
	SignedIn  bool
	Error     string
	Workspace string
	KeyID     string
	CSRF      string
	LinkID    string
}

func (d *dash) page(w http.ResponseWriter, r *http.Request) {
	s, _, ok := d.current(r)
	if !ok {
		d.render(w, http.StatusOK, pageData{})
		return
	}
	d.render(w, http.StatusOK, pageData{SignedIn: true, Workspace: s.principal.WorkspaceID, KeyID: s.principal.KeyID,
		CSRF: s.csrf, LinkID: r.PathValue("id")})
}

func (d *dash) render(w http.ResponseWriter, status int, data pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.Execute(w, data); err != nil {
		d.cfg.Logger.Error("dashboard: render", "err", err)
	}
}

// crossOrigin refuses a state-changing request another site's page sent
// (login CSRF, forced sign-out): the browser's Sec-Fetch-Site, else its
// Origin, must name this site. A request with neither is not a
// browser's cross-site form; SameSite=Strict guards the rest. The pages'
// Referrer-Policy is same-origin, not no-referrer: under no-referrer a
// browser sends "Origin: null" on the page's own form posts.
var crossOrigin = http.NewCrossOriginProtection()

func sameOrigin(r *http.Request) bool { return crossOrigin.Check(r) == nil }

func (d *dash) signIn(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		d.render(w, http.StatusForbidden, pageData{Error: "This sign-in did not come from the dashboard's own page."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	key := strings.TrimSpace(r.PostFormValue("key"))
	if key == "" {
		d.render(w, http.StatusBadRequest, pageData{Error: "Enter an API key."})
		return
	}
	p, err := d.cfg.Keys.Check(r.Context(), key)
	switch {
	case errors.Is(err, ErrBadKey):
		d.render(w, http.StatusUnauthorized, pageData{Error: "That API key is unknown or revoked."})
		return
	case err != nil:
		d.cfg.Logger.ErrorContext(r.Context(), "dashboard: check key", "err", err)
		d.render(w, http.StatusInternalServerError, pageData{Error: "Checking the key failed; see the server log."})
		return
	case !slices.Contains(p.Scopes, scopeAnalyticsRead) && !slices.Contains(p.Scopes, scopeAdmin):
		d.render(w, http.StatusForbidden, pageData{Error: "This API key lacks the analytics:read scope."})
		return
	}
	id, _ := d.sessions.create(p)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: cookiePath, HttpOnly: true,
		Secure: !d.cfg.InsecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: int(d.cfg.SessionTTL.Seconds())})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func (d *dash) signOut(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	s, id, ok := d.current(r)
	if ok {
		if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) != 1 {
			d.render(w, http.StatusForbidden, pageData{Error: "This sign-out did not come from the dashboard's own page."})
			return
		}
		d.sessions.end(id)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: cookiePath, HttpOnly: true,
		Secure: !d.cfg.InsecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}
