package linkapi

import (
	"net/http"
	"strings"
)

// linkSubPrefix is how a Mount pattern of a link's sub-resource starts
// ("GET /v1/links/{id}/stats"). ServeMux cannot take such a pattern: it
// conflicts with GET /v1/links/external/{external_id} (see qrRoute), so
// the QR route's /v1/links/{id}/{sub} serves it: for a mounted sub it asks
// the mounted pattern's scope and hands the request over, with the path
// values id and sub set.
const linkSubPrefix = "GET /v1/links/{id}/"

// linkSub is a mounted handler of one sub-resource of links.
type linkSub struct {
	h       http.Handler
	pattern string
}

// mountLinkSub takes a Mount pattern of a link's sub-resource into
// a.linkSubs and reports whether it was one.
func (a *api) mountLinkSub(pattern string, h http.Handler) bool {
	sub, ok := strings.CutPrefix(pattern, linkSubPrefix)
	if !ok || sub == "" || strings.ContainsAny(sub, "/{}") {
		return false
	}
	if a.linkSubs == nil {
		a.linkSubs = map[string]linkSub{}
	}
	a.linkSubs[sub] = linkSub{h: h, pattern: pattern}
	return true
}

// linkSubScope is the scope function of /v1/links/{id}/{sub}: the mounted
// pattern's scope for a mounted sub, own for the others.
func (a *api) linkSubScope(own string) func(*http.Request) string {
	return func(r *http.Request) string {
		if s, ok := a.linkSubs[r.PathValue("sub")]; ok {
			return a.mountScope(s.pattern)(r)
		}
		return own
	}
}
