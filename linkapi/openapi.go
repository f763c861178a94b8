package linkapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/clicktrail/clicktrail/linkapi/idempotency"
)

// apiRoute is one operation of the link API. The table of routes (apiRoutes in
// api.go) both registers the ServeMux handlers and generates the OpenAPI
// document, so the document cannot drift from what is served.
type apiRoute struct {
	method  string // GET, POST, ...
	pattern string // documented path pattern, e.g. /v1/links/{id}
	// muxPattern, when set, is the pattern registered on the ServeMux
	// instead of pattern: for a route whose pattern would conflict with
	// another's (the handler then checks the rest of the path itself).
	muxPattern string
	summary    string
	// request is a zero value of the JSON body type, nil for no body;
	// required lists the members a client must send.
	request  any
	required []string
	// response is a zero value of the success body type, nil (with no
	// media) for an answer without a body; status its code, also other
	// success codes with the same body (PUT external: 200 or 201).
	response any
	status   int
	also     []int
	// errors are the error statuses the handler itself answers; every
	// route also gets serverErrors, authenticated ones authErrors and
	// idempotent ones idempotencyErrors.
	errors []int
	// mounted: a handler of APIConfig.Mount, which the Idempotency-Key
	// protocol does not wrap.
	mounted bool
	// scopes the route needs (one, today); empty for any authenticated
	// key; nil for a public route, served without authentication or rate
	// limit.
	scopes []string
	// query are the query parameters the handler accepts (it answers 400
	// unknown_field for any other).
	query []queryParam
	// maxBody bounds the request body; 0 means maxBodyBytes.
	maxBody int64
	// media, when set, are the content types of a non-JSON success body
	// (response is then unused).
	media []string
	// facts and queryFacts are a Route's (see Route.Facts); the API's
	// own are in openapi_facts.go.
	facts      map[string]map[string]map[string]any
	queryFacts map[string]map[string]any
	handle     func(*api, http.ResponseWriter, *http.Request)
}

// queryParam documents one query parameter of a route.
type queryParam struct {
	name, typ, desc string // typ: string, integer, boolean or date-time
}

// queryNames is the set of params' names, for the handler's own check.
func queryNames(params []queryParam) map[string]bool {
	m := make(map[string]bool, len(params))
	for _, p := range params {
		m[p.name] = true
	}
	return m
}

func (r *apiRoute) public() bool { return r.scopes == nil }

// idempotent reports whether the Idempotency-Key protocol wraps the route.
func (r *apiRoute) idempotent() bool {
	return !r.public() && !r.mounted && r.method != http.MethodGet
}

var (
	// serverErrors can answer any request: a malformed one (400), a
	// method the path does not serve (405), request line and headers
	// over the server's limit (431), a failure (500).
	serverErrors = []int{http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusRequestHeaderFieldsTooLarge, http.StatusInternalServerError}
	// authErrors are the bearer-key guard's: no or an unknown key, a key
	// without the scope, over the rate limit.
	authErrors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests}
	// idempotencyErrors are the Idempotency-Key protocol's (idempotent.go):
	// a bad key (400), the key's first request still running (409), a
	// body over the route's bound (413, read before the handler runs), the
	// key first used with another request (422).
	idempotencyErrors = []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}
)

const (
	openAPIPath   = "/v1/openapi.json"
	errorSchemaID = "ErrorResponse"
	schemaRefBase = "#/components/schemas/"
)

// rateLimitHeaders are on every authenticated answer (see rateLimiter.admit).
var rateLimitHeaders = map[string]string{
	"RateLimit-Limit":     "Requests a key may send at once (the token bucket size).",
	"RateLimit-Remaining": "Requests the key may still send at once.",
	"RateLimit-Reset":     "Seconds until the key's bucket is full again.",
}

var pathParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// openAPIDocument renders routes as an OpenAPI 3.1 document.
func openAPIDocument(routes []apiRoute) ([]byte, error) {
	g := newSchemaGen()
	errRef := g.ref(errorResponse{})
	g.comps["ApiError"]["properties"].(map[string]any)["rule"] = map[string]any{
		"type": "string", "enum": urlRules,
		"description": "With destination_refused, and with invalid_field for a URL field: the rule of the one URL rule " +
			"(link destinations, expired_url, variants, routing rules, callback_url) that refused the URL. " +
			"syntax, scheme, credentials, host and port are a malformed URL (invalid_field); the others a policy refusal " +
			"(destination_refused; unresolvable only for callback_url, whose host must resolve).",
	}
	paths := map[string]map[string]any{}
	for i := range routes {
		r := &routes[i]
		p := strings.TrimSuffix(r.pattern, "{$}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op, err := g.operation(r, errRef)
		if err != nil {
			return nil, fmt.Errorf("route %s %s: %w", r.method, r.pattern, err)
		}
		paths[p][strings.ToLower(r.method)] = op
	}
	headers := map[string]any{
		"Retry-After": map[string]any{"description": "Seconds to wait before retrying.", "schema": map[string]any{"type": "integer"}},
	}
	for name, desc := range rateLimitHeaders {
		headers[name] = map[string]any{"description": desc, "schema": map[string]any{"type": "integer", "minimum": 0}}
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "clicktrail link API",
			"version": "1",
			"description": "Branded short links. Errors are JSON: " +
				`{"error":{"code":...,"field":...,"message":...}}; each API key is rate limited (RateLimit-* headers).`,
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.comps,
			"headers": headers,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "An API key: a bootstrap key from the server's configuration, or one created with POST /v1/keys. Each operation names the scope it needs."},
			},
		},
	}
	if err := applyFacts(g.comps, routeFacts(routes)); err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (g *schemaGen) operation(r *apiRoute, errRef map[string]any) (map[string]any, error) {
	op := map[string]any{
		"summary":     r.summary,
		"operationId": operationID(r),
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(r.pattern, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range r.query {
		schema := map[string]any{"type": q.typ}
		if q.typ == "date-time" {
			schema = map[string]any{"type": "string", "format": "date-time"}
		}
		maps.Copy(schema, queryFact(r.pattern, q.name))
		maps.Copy(schema, r.queryFacts[q.name])
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": schema})
	}
	if r.idempotent() {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header",
			"description": "A retry with the same key and body replays the first answer for 24 h; another body answers 422.",
			"schema":      map[string]any{"type": "string", "minLength": 1, "maxLength": idempotency.MaxKeyLen}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if r.request != nil {
		ref, err := g.requestRef(r)
		if err != nil {
			return nil, err
		}
		op["requestBody"] = map[string]any{"required": true, "content": jsonContent(ref)}
	}
	statusHeaders := func(status int) map[string]any {
		if r.public() {
			return nil
		}
		h := map[string]any{}
		for name := range rateLimitHeaders {
			h[name] = map[string]any{"$ref": "#/components/headers/" + name}
		}
		if status == http.StatusTooManyRequests {
			h["Retry-After"] = map[string]any{"$ref": "#/components/headers/Retry-After"}
		}
		return h
	}
	responses := map[string]any{}
	for _, status := range append([]int{r.status}, r.also...) {
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case len(r.media) > 0:
			content := map[string]any{}
			for _, m := range r.media {
				content[m] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			}
			ok["content"] = content
		case r.response != nil:
			ok["content"] = jsonContent(g.schema(typeOf(r.response)))
		}
		if h := statusHeaders(status); h != nil {
			ok["headers"] = h
		}
		responses[strconv.Itoa(status)] = ok
	}
	if len(r.media) > 0 {
		// ETag and If-None-Match (api_qr.go)
		responses[strconv.Itoa(http.StatusNotModified)] = map[string]any{"description": "Not Modified: the If-None-Match ETag is current"}
	}
	errs := slices.Concat(r.errors, serverErrors)
	if !r.public() {
		errs = append(errs, authErrors...)
		op["security"] = []any{map[string]any{"bearer": r.scopes}}
	} else {
		op["security"] = []any{}
	}
	if r.idempotent() {
		errs = append(errs, idempotencyErrors...)
	}
	slices.Sort(errs)
	for _, status := range slices.Compact(errs) {
		resp := map[string]any{"description": http.StatusText(status), "content": jsonContent(errRef)}
		if h := statusHeaders(status); h != nil && status != http.StatusUnauthorized {
			resp["headers"] = h
		}
		responses[strconv.Itoa(status)] = resp
	}
	op["responses"] = responses
	return op, nil
}

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// operationID is, e.g., "post_v1_links" or "get_v1_links_id".
func operationID(r *apiRoute) string {
	id := strings.ToLower(r.method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "$", "", "-", "_").Replace(r.pattern)
	return strings.TrimSuffix(id, "_")
}

// serveOpenAPI answers GET /v1/openapi.json.
func (a *api) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(a.openAPI)
}

// urlRules are the values of an error's "rule" member (Rule*).
var urlRules = []string{RuleSyntax, RuleScheme, RuleCredentials, RuleHost, RulePort, RuleBlocklist, RuleDenyList,
	RuleNotInAllowList, RuleWorkspaceDenyList, RuleWorkspaceNotInAllowList, RulePrivateAddress, RuleUnresolvable}
