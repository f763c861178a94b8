package linkapi

import (
	"net/http"
	"slices"
)

// Route is an operation another package serves as part of the link API
// (linkapi/bulk's job routes), listed in APIConfig.Routes. Unlike a Mount
// handler it is served exactly like the API's own routes: bearer-key
// authentication with Scope, the rate limit, the Idempotency-Key protocol
// on every method but GET (with MaxBody), the 405s of its path, and its
// operation in the OpenAPI document.
type Route struct {
	Method, Pattern, Summary string
	// Scope is the scope a key needs.
	Scope string
	// Request is a zero value of the JSON body type (nil for none),
	// Required the members a client must send; Response a zero value of
	// the success body, answered with Status. Errors are the error
	// statuses the handler itself answers.
	Request  any
	Required []string
	Response any
	Status   int
	Errors   []int
	Query    []MountedQueryParam
	// MaxBody bounds the request body; 0 means 1 MiB.
	MaxBody int64
	// Facts are what the Go types of Request and Response cannot tell the
	// document, merged into the schema of component.member (formats,
	// enums), and QueryFacts into the schema of a query parameter by its
	// name, as the API's own facts are (openapi_facts.go).
	Facts      map[string]map[string]map[string]any
	QueryFacts map[string]map[string]any
	// Handle serves the route; the request carries its Principal
	// (PrincipalFrom).
	Handle http.HandlerFunc
}

// withRoutes returns the API's own routes and extra after them.
func withRoutes(own []apiRoute, extra []Route) []apiRoute {
	out := slices.Clone(own)
	for _, e := range extra {
		r := apiRoute{method: e.Method, pattern: e.Pattern, summary: e.Summary, request: e.Request, required: e.Required,
			response: e.Response, status: e.Status, errors: e.Errors, scopes: []string{e.Scope}, maxBody: e.MaxBody,
			facts: e.Facts, queryFacts: e.QueryFacts}
		for _, q := range e.Query {
			r.query = append(r.query, queryParam{q.Name, q.Type, q.Description})
		}
		handle := e.Handle
		r.handle = func(_ *api, w http.ResponseWriter, req *http.Request) { handle(w, req) }
		out = append(out, r)
	}
	return out
}
