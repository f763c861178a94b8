package linkapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/internal/seal"
	"github.com/clicktrail/clicktrail/linkapi/audit"
	"github.com/clicktrail/clicktrail/linkapi/idempotency"
	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/linkapi/tenancy"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// maxBodyBytes bounds a request body of the link API.
const maxBodyBytes = 1 << 20

// maxPathAttempts bounds the paths tried for one link before giving up: random
// slugs (a collision among 62^7 slugs is rare; five in a row means trouble)
// or, with on_conflict "suffix", free suffixes lost to concurrent creates.
const maxPathAttempts = 5

// APIConfig configures the link API.
type APIConfig struct {
	Store *redirect.Store
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
	// OnLinkEvent, when set, is called with each change of a link once it
	// is durable, on the request's goroutine (a bulk job's runner calls it
	// from up to 64 goroutines at once, unless OnLinkEvents is set), before
	// the answer is sent:
	// eventType is one of EventLinkCreated, EventLinkUpdated,
	// EventLinkDisabled and EventLinkDeleted, and l is the link as stored
	// after the change. It must not modify the link and should not block
	// for long (publish to the links topic asynchronously). A replayed
	// idempotent answer does not call it: the change was made once.
	OnLinkEvent func(eventType string, l *redirect.Link)
	// OnLinkEvents, when set, receives the links a bulk job created in one
	// round (up to JobChunkItems at once, from the runner's goroutine)
	// instead of one OnLinkEvent call per link, so that they can be
	// written to a log in one batch. Single changes still go to
	// OnLinkEvent.
	OnLinkEvents func(eventType string, links []*redirect.Link)
	// Now is the clock for CreatedAt and UpdatedAt; nil means time.Now.
	Now func() time.Time
	// RateLimit limits requests per API key; the zero value is on, with
	// DefaultRateLimitBurst and DefaultRateLimitPerSecond.
	RateLimit RateLimitConfig
	// Destinations decides which destinations links may have; the zero
	// value refuses non-http(s) URLs, credentials and non-public addresses.
	Destinations DestinationPolicy
	// Mount serves more handlers (pattern -> handler, http.ServeMux
	// patterns such as "/v1/webhooks/") behind the same bearer-key
	// authentication and rate limit as the link API's own routes.
	Mount map[string]http.Handler
	// Public serves handlers (pattern -> handler) on the API's listener
	// WITHOUT the bearer-key guard and rate limit: each authenticates its
	// own requests (the dashboard, analytics/dashboard, by a session
	// cookie). They are not in the OpenAPI document.
	Public map[string]http.Handler
	// MountScopes names the scopes a Mount pattern's requests need: Read
	// for GET and HEAD, Write for the other methods. A pattern without an
	// entry needs ScopeAdmin.
	MountScopes map[string]MountScope
	// MountDocs document the mounted handlers' operations in the OpenAPI
	// document, each needing Scope.
	MountDocs []MountedRoute
	// Routes are operations served by other packages as part of the API
	// (linkapi/bulk's job routes; see Route).
	Routes []Route
	// OnConversion queues a conversion reported through POST
	// /v1/conversions, returning nil only once it is durable (the spool or
	// Kafka with acks=all): the API answers 202 then, 503 on an error.
	// Nil answers 503: this node takes no conversions.
	OnConversion func(context.Context, *schemas.Conversion) error
	// Secrets seals the secrets the API must keep to use them (bulk jobs'
	// callback secrets; ADR 007). Nil means seal.ProcessRing(), whose key
	// dies with the process: tests only, as a job resumed by another
	// process could not sign its callback.
	Secrets *seal.Ring
}

// MountScope is the scopes of a mounted handler; see APIConfig.MountScopes.
type MountScope struct{ Read, Write string }

// MountedRoute documents one operation of a mounted handler (see
// APIConfig.MountDocs); the fields mean what they mean in apiRoute.
type MountedRoute struct {
	Method, Pattern, Summary, Scope string
	Request, Response               any
	Required                        []string
	Status                          int
	Errors                          []int
	Query                           []MountedQueryParam
	// Also are other success statuses with the Response body.
	Also []int
}

// MountedQueryParam documents a query parameter of a MountedRoute.
type MountedQueryParam struct{ Name, Type, Description string }

// documented returns the routes of the OpenAPI document: the API's own and
// the mounted handlers'.
func documented(own []apiRoute, mounted []MountedRoute) []apiRoute {
	out := slices.Clone(own)
	for _, m := range mounted {
		r := apiRoute{method: m.Method, pattern: m.Pattern, summary: m.Summary, request: m.Request, required: m.Required,
			response: m.Response, status: m.Status, also: m.Also, errors: m.Errors, scopes: []string{m.Scope}, mounted: true}
		for _, q := range m.Query {
			r.query = append(r.query, queryParam{q.Name, q.Type, q.Description})
		}
		out = append(out, r)
	}
	return out
}

// mountScope returns the scope function of a Mount pattern.
func (a *api) mountScope(pattern string) func(*http.Request) string {
	ms, ok := a.cfg.MountScopes[pattern]
	if !ok {
		return needs(tenancy.ScopeAdmin)
	}
	return func(r *http.Request) string {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return ms.Read
		}
		return ms.Write
	}
}

// MinAPIKeyLen is the shortest API key accepted in APIConfig.APIKeys.
const MinAPIKeyLen = 16

// Validate reports every bad field at once, naming each.
func (c *APIConfig) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("store: required"))
	}
	if len(c.APIKeys) == 0 {
		errs = append(errs, errors.New("api_keys: at least one key is required"))
	}
	for i, k := range c.APIKeys {
		if len(k) < MinAPIKeyLen {
			errs = append(errs, fmt.Errorf("api_keys[%d]: shorter than %d bytes", i, MinAPIKeyLen))
		}
	}
	var fe *redirect.FieldError
	if err := redirect.ValidateDomain(c.DefaultDomain); errors.As(err, &fe) {
		errs = append(errs, fmt.Errorf("default_domain: %s", fe.Message))
	}
	if s := c.ShortURLScheme; s != "" && s != "http" && s != "https" {
		errs = append(errs, fmt.Errorf("short_url_scheme: want http or https, got %q", s))
	}
	if b := c.ShortURLBase; b != "" {
		if u, err := url.Parse(b); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			errs = append(errs, fmt.Errorf("short_url_base: want scheme://host[:port], got %q", b))
		}
	}
	errs = append(errs, c.RateLimit.Validate("RateLimit"), c.Destinations.Validate("Destinations"))
	return errors.Join(errs...)
}

type api struct {
	cfg     APIConfig
	keys    keyHashes
	log     *slog.Logger
	limit   *rateLimiter // nil when rate limiting is off
	openAPI []byte       // the rendered OpenAPI document
	// The link API's records beside the links.
	tenants   *tenancy.Store
	auditLog  *audit.Log
	templates *templates.Store
	idem      *idempotency.Store
	secrets   *seal.Ring
	linkSubs  map[string]linkSub // mounted sub-resources of links (mount_linksub.go)
}

// newAPI returns the API of cfg, which has its defaults, without its
// routes.
func newAPI(cfg APIConfig) *api {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secrets := cfg.Secrets
	if secrets == nil {
		secrets = seal.ProcessRing()
	}
	return &api{cfg: cfg, log: log, tenants: tenancy.NewStore(cfg.Store), auditLog: audit.NewLog(cfg.Store),
		templates: templates.NewStore(cfg.Store), idem: idempotency.NewStore(cfg.Store), secrets: secrets}
}

// apiRoutes are the operations of the link API. They register the handlers
// and generate GET /v1/openapi.json (see apiRoute).
var apiRoutes = slices.Concat(linkRoutes, qrRoutes, tenancyRoutes, templateRoutes, conversionRoutes)

// linkRoutes are the link lifecycle operations.
var linkRoutes = []apiRoute{
	{
		method: "POST", pattern: "/v1/links", summary: "Create a link",
		request: createLinkRequest{}, required: []string{"destination_url"},
		response: linkResponse{}, status: http.StatusCreated,
		errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
		scopes: []string{"links:write"}, handle: (*api).createLink,
	},
	{
		method: "GET", pattern: "/v1/links/{id}", summary: "Get a link",
		response: linkResponse{}, status: http.StatusOK,
		errors: []int{http.StatusNotFound},
		scopes: []string{"links:read"}, handle: (*api).getLink,
	},
	{
		method: "PATCH", pattern: "/v1/links/{id}",
		summary: "Update a link: a JSON merge patch (absent = unchanged, null = clear); path and domain cannot change",
		request: linkPatch{}, response: linkResponse{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
		scopes: []string{"links:write"}, handle: (*api).patchLink,
	},
	{
		method: "DELETE", pattern: "/v1/links/{id}",
		summary:  "Delete a link: it answers 404 from now on, keeps its path reserved and is still shown with deleted_at",
		response: linkResponse{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
		scopes: []string{"links:write"}, handle: (*api).deleteLink,
	},
	{
		method: "GET", pattern: "/v1/links",
		summary:  "List links in id order, with filters and cursor pagination",
		query:    listQuery,
		response: listLinksResponse{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest},
		scopes: []string{"links:read"}, handle: (*api).listLinks,
	},
	{
		method: "PUT", pattern: "/v1/links/external/{external_id}",
		summary: "Create (201) or replace (200) the link with this external_id; the body is that of POST /v1/links",
		request: createLinkRequest{}, required: []string{"destination_url"},
		response: linkResponse{}, status: http.StatusOK, also: []int{http.StatusCreated},
		errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
		scopes: []string{"links:write"}, handle: (*api).putExternal,
	},
	{
		method: "GET", pattern: "/v1/links/external/{external_id}", summary: "Get the link with this external_id",
		response: linkResponse{}, status: http.StatusOK,
		errors: []int{http.StatusBadRequest, http.StatusNotFound},
		scopes: []string{"links:read"}, handle: (*api).getExternal,
	},
	{
		method: "GET", pattern: openAPIPath, summary: "This OpenAPI 3.1 document",
		response: map[string]any{}, status: http.StatusOK,
		handle: (*api).serveOpenAPI,
	},
}

// NewAPI returns the link API handler:
//
//	POST   /v1/links                        create a link; 201 with the link and short_url
//	GET    /v1/links/{id}                   200 with the link and short_url, or 404
//	PATCH  /v1/links/{id}                   merge-patch a link (see linkPatch); 200
//	DELETE /v1/links/{id}                   disable a link for good, path kept; 200
//	GET    /v1/links                        list with filters and cursor pagination
//	PUT    /v1/links/external/{external_id} upsert by external id; 201 or 200
//	GET    /v1/links/external/{external_id} 200 with the link, or 404
//	GET    /v1/openapi.json                 the OpenAPI 3.1 document of all of this (public)
//
// A create whose path is taken answers 409 path_taken, with existing_id
// when the holder is in the caller's workspace,
// unless the body asks for "on_conflict": "suffix", which takes the first
// free of path-2, path-3, ... Every mutating call accepts an
// Idempotency-Key header (see idempotency.go): a retry with the same key
// and body replays the first answer with Idempotent-Replayed: true, another
// body with the same key answers 422 idempotency_key_reused, and a retry
// while the first request still runs answers 409 idempotency_key_in_use.
//
// Every other request needs "Authorization: Bearer <key>" and is rate
// limited per key (cfg.RateLimit): answers carry RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset, and a key over its limit gets 429
// with Retry-After. Errors are JSON:
// {"error":{"code":...,"field":...,"message":...}} with the Code* values.
func NewAPI(cfg APIConfig) (http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("link api config: %w", err)
	}
	cfg = cfg.withDefaults()
	routes := withRoutes(apiRoutes, cfg.Routes)
	doc, err := openAPIDocument(documented(routes, cfg.MountDocs))
	if err != nil {
		return nil, fmt.Errorf("link api: render the OpenAPI document: %w", err)
	}
	a := newAPI(cfg)
	a.keys, a.limit, a.openAPI = hashKeys(cfg.APIKeys), newRateLimiter(cfg.RateLimit), doc
	return a.mux(routes), nil
}

// withDefaults returns c with its defaults filled in.
func (c APIConfig) withDefaults() APIConfig {
	if c.ShortURLScheme == "" {
		c.ShortURLScheme = "https"
	}
	c.ShortURLBase = strings.TrimSuffix(c.ShortURLBase, "/")
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// mux registers routes, a 405 for the other methods of each path and an
// authenticated 404 for everything else.
func (a *api) mux(routes []apiRoute) *http.ServeMux {
	mux := http.NewServeMux()
	allow := map[string][]string{}
	public := map[string]bool{}
	var paths []string
	for _, r := range routes {
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { r.handle(a, w, req) })
		if !r.public() && r.method != http.MethodGet {
			limit := r.maxBody
			if limit == 0 {
				limit = maxBodyBytes
			}
			h = a.idempotent(h, limit)
		}
		if !r.public() {
			scope := "" // authenticated, any scope
			if len(r.scopes) > 0 {
				scope = r.scopes[0]
			}
			scopeOf := needs(scope)
			if r.muxPattern == qrRoute.muxPattern {
				scopeOf = a.linkSubScope(scope)
			}
			h = a.guard(h, scopeOf)
		}
		pattern := r.pattern
		if r.muxPattern != "" {
			pattern = r.muxPattern
		}
		mux.Handle(r.method+" "+pattern, h)
		if allow[pattern] == nil {
			paths = append(paths, pattern)
		}
		allow[pattern] = append(allow[pattern], r.method)
		if r.method == http.MethodGet {
			allow[pattern] = append(allow[pattern], http.MethodHead)
		}
		public[pattern] = r.public()
	}
	// The 405 answers are registered per method: a method-less pattern
	// would conflict on ServeMux with a more specific path of one method
	// ("/v1/links/external/{external_id}" against "GET /v1/links/{id}/{sub}":
	// neither is more specific than the other). Other methods (TRACE, CONNECT, made-up ones) get the 404.
	for _, p := range paths {
		var h http.Handler = methodNotAllowed(strings.Join(allow[p], ", "))
		if !public[p] {
			h = a.guard(h, needs(""))
		}
		for _, m := range apiMethods {
			if !slices.Contains(allow[p], m) {
				mux.Handle(m+" "+p, h)
			}
		}
	}
	for pattern, h := range a.cfg.Public {
		mux.Handle(pattern, h)
	}
	for pattern, h := range a.cfg.Mount {
		if a.mountLinkSub(pattern, h) {
			continue
		}
		mux.Handle(pattern, a.guard(h, a.mountScope(pattern)))
	}
	mux.Handle("/", a.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, &APIError{status: http.StatusNotFound, Code: CodeNotFound, Message: "no such route"})
	}), needs("")))
	return mux
}

// apiMethods are the methods a path of the link API answers 405 for when it
// does not serve them.
//
// HEAD is not listed: a GET pattern serves HEAD too, and a HEAD pattern of
// its own would conflict with a more specific GET path (GET /v1/keys/self
// against HEAD /v1/keys/{id}).
var apiMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// linkResponse is a link as the API answers it.
type linkResponse struct {
	*redirect.Link
	ShortURL string `json:"short_url"`
}

func (a *api) linkResponse(l *redirect.Link) linkResponse {
	return linkResponse{l, a.shortURL(l.Domain, l.Path)}
}

// shortURL is the short_url of domain/path.
func (a *api) shortURL(domain, path string) string {
	return ShortURL(a.cfg.ShortURLScheme, a.cfg.ShortURLBase, domain, path)
}

// ShortURL is the public URL of domain/path as the link API shows it: on
// base (APIConfig.ShortURLBase, without a trailing slash) when it is set,
// else scheme://domain.
func ShortURL(scheme, base, domain, path string) string {
	if base == "" {
		base = scheme + "://" + domain
	}
	return base + "/" + path
}

func (a *api) respondLink(w http.ResponseWriter, status int, l *redirect.Link) {
	WriteJSON(w, status, a.linkResponse(l))
}

func (a *api) createLink(w http.ResponseWriter, r *http.Request) {
	body, aerr := readBody(w, r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	d, aerr := a.decodeCreate(r.Context(), body)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	if aerr := a.insert(r.Context(), d); aerr != nil {
		WriteError(w, aerr)
		return
	}
	w.Header().Set("Location", "/v1/links/"+d.link.ID)
	a.respondLink(w, http.StatusCreated, d.link)
}

func (a *api) getLink(w http.ResponseWriter, r *http.Request) {
	l, aerr := a.loadLink(r)
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	a.respondLink(w, http.StatusOK, l)
}

func (a *api) internalError(w http.ResponseWriter, doing string, err error) {
	a.log.Error("link api: "+doing, "err", err)
	WriteError(w, &APIError{status: http.StatusInternalServerError, Code: CodeInternal, Message: doing + " failed; see the server log"})
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		WriteError(w, &APIError{status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "allowed: " + allow})
	}
}
