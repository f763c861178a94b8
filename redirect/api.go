package redirect

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBodyBytes bounds a request body of the link API.
const maxBodyBytes = 1 << 20

// maxPathAttempts bounds the random slugs tried for one link before giving up
// (a collision among 62^7 slugs is rare; five in a row means trouble).
const maxPathAttempts = 5

// APIConfig configures the link API.
type APIConfig struct {
	Store *Store
	// APIKeys are the accepted bearer keys (at least one, each at least
	// MinAPIKeyLen bytes). Only their SHA-256 hashes are kept, compared in
	// constant time.
	APIKeys []string
	// DefaultDomain is the short-link domain links are created on, e.g.
	// go.brand.com. A request may name it in "domain" or leave it out.
	DefaultDomain string
	// ShortURLScheme is the scheme of short_url in answers: "https"
	// (default) or "http" (development).
	ShortURLScheme string
	// ShortURLBase, when set, replaces scheme://domain in short_url, for
	// example http://localhost:8080 in development, where the redirector
	// serves every Host as the default domain and listens on a port.
	ShortURLBase string
	Logger       *slog.Logger // nil discards
	// OnLinkChanged, when set, is called with each created link once it is
	// durable, on the request's goroutine, before the answer is sent. It must
	// not modify the link and should not block for long (publish to the
	// links topic asynchronously).
	OnLinkChanged func(*Link)
	// Now is the clock for CreatedAt and UpdatedAt; nil means time.Now.
	Now func() time.Time
}

// MinAPIKeyLen is the shortest API key accepted in APIConfig.APIKeys.
const MinAPIKeyLen = 16

// Validate reports every bad field at once, naming each.
func (c *APIConfig) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("Store: required"))
	}
	if len(c.APIKeys) == 0 {
		errs = append(errs, errors.New("APIKeys: at least one key is required"))
	}
	for i, k := range c.APIKeys {
		if len(k) < MinAPIKeyLen {
			errs = append(errs, fmt.Errorf("APIKeys[%d]: shorter than %d bytes", i, MinAPIKeyLen))
		}
	}
	if msg := domainProblem(c.DefaultDomain); msg != "" {
		errs = append(errs, fmt.Errorf("DefaultDomain: %s", msg))
	}
	if s := c.ShortURLScheme; s != "" && s != "http" && s != "https" {
		errs = append(errs, fmt.Errorf("ShortURLScheme: want http or https, got %q", s))
	}
	if b := c.ShortURLBase; b != "" {
		if u, err := url.Parse(b); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			errs = append(errs, fmt.Errorf("ShortURLBase: want scheme://host[:port], got %q", b))
		}
	}
	return errors.Join(errs...)
}

type api struct {
	cfg  APIConfig
	keys keyHashes
	log  *slog.Logger
}

// NewAPI returns the link API handler:
//
//	POST /v1/links       create a link; 201 with the link and short_url
//	GET  /v1/links/{id}  200 with the link and short_url, or 404
//
// Every request needs "Authorization: Bearer <key>". Errors are JSON:
// {"error":{"code":...,"field":...,"message":...}} with the Code* values.
func NewAPI(cfg APIConfig) (http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("link api config: %w", err)
	}
	if cfg.ShortURLScheme == "" {
		cfg.ShortURLScheme = "https"
	}
	cfg.ShortURLBase = strings.TrimSuffix(cfg.ShortURLBase, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &api{cfg: cfg, keys: hashKeys(cfg.APIKeys), log: orDiscard(cfg.Logger)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/links", a.createLink)
	mux.HandleFunc("GET /v1/links/{id}", a.getLink)
	mux.HandleFunc("/v1/links", methodNotAllowed("POST"))
	mux.HandleFunc("/v1/links/{id}", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no such route"})
	})
	return a.authenticate(mux), nil
}

// linkResponse is a link as the API answers it.
type linkResponse struct {
	*Link
	ShortURL string `json:"short_url"`
}

func (a *api) respondLink(w http.ResponseWriter, status int, l *Link) {
	base := a.cfg.ShortURLBase
	if base == "" {
		base = a.cfg.ShortURLScheme + "://" + l.Domain
	}
	writeJSON(w, status, linkResponse{l, base + "/" + l.Path})
}

func (a *api) createLink(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, &apiError{status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge,
				Message: fmt.Sprintf("request body is larger than %d bytes", maxBodyBytes)})
			return
		}
		writeError(w, badRequest(CodeInvalidJSON, "", "reading the request body: "+err.Error()))
		return
	}
	l, generated, aerr := decodeCreateLink(body, a.cfg.DefaultDomain, a.cfg.Now().UTC())
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	for attempt := 1; ; attempt++ {
		err = a.cfg.Store.Create(r.Context(), l)
		if !generated || attempt == maxPathAttempts || !errors.Is(err, ErrPathTaken) {
			break
		}
		l.Path = randomPath()
	}
	if pt, ok := errors.AsType[*PathTakenError](err); ok && !generated {
		writeError(w, &apiError{status: http.StatusConflict, Code: CodePathTaken, Field: "path",
			Message: "path " + l.Path + " is taken on " + l.Domain, ExistingID: pt.ExistingID})
		return
	}
	if err != nil {
		a.internalError(w, "create link", err)
		return
	}
	if a.cfg.OnLinkChanged != nil {
		a.cfg.OnLinkChanged(l)
	}
	w.Header().Set("Location", "/v1/links/"+l.ID)
	a.respondLink(w, http.StatusCreated, l)
}

func (a *api) getLink(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := a.cfg.Store.Get(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		writeError(w, &apiError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no link with this id"})
		return
	}
	if err != nil {
		a.internalError(w, "get link", err)
		return
	}
	a.respondLink(w, http.StatusOK, l)
}

func (a *api) internalError(w http.ResponseWriter, doing string, err error) {
	a.log.Error("link api: "+doing, "err", err)
	writeError(w, &apiError{status: http.StatusInternalServerError, Code: CodeInternal, Message: doing + " failed; see the server log"})
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "allowed: " + allow})
	}
}
