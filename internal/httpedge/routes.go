package httpedge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Routes is which methods each path template of an API serves, for the
// 405 answers of JSONErrors.
type Routes struct {
	templates []template
}

type template struct {
	segments []string // "{x}" matches one segment, "{x...}" the rest
	methods  []string // sorted, with HEAD where GET is
}

// RoutesFromOpenAPI reads the paths of an OpenAPI 3 document ("/v1/links/{id}":
// {"get": ..., "delete": ...}).
func RoutesFromOpenAPI(doc []byte) (*Routes, error) {
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("read OpenAPI paths: %w", err)
	}
	rs := &Routes{}
	for path, ops := range d.Paths {
		var methods []string
		for op := range ops {
			switch m := strings.ToUpper(op); m {
			case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
				http.MethodDelete, http.MethodOptions, http.MethodTrace:
				methods = append(methods, m)
				if m == http.MethodGet {
					methods = append(methods, http.MethodHead)
				}
			}
		}
		if len(methods) == 0 || !strings.HasPrefix(path, "/") {
			continue
		}
		slices.Sort(methods)
		rs.templates = append(rs.templates, template{segments: strings.Split(path[1:], "/"), methods: slices.Compact(methods)})
	}
	return rs, nil
}

// Allow is the Allow header for path: the methods of every template it
// matches, or "" when it matches none.
func (rs *Routes) Allow(path string) string {
	var all []string
	rs.each(path, func(t template) { all = append(all, t.methods...) })
	slices.Sort(all)
	return strings.Join(slices.Compact(all), ", ")
}

// Serves reports whether a template that path matches serves method.
func (rs *Routes) Serves(path, method string) bool {
	found := false
	rs.each(path, func(t template) { found = found || slices.Contains(t.methods, method) })
	return found
}

func (rs *Routes) each(path string, f func(template)) {
	if !strings.HasPrefix(path, "/") {
		return
	}
	segs := strings.Split(path[1:], "/")
	for _, t := range rs.templates {
		if t.match(segs) {
			f(t)
		}
	}
}

func (t template) match(segs []string) bool {
	for i, s := range t.segments {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}") {
			return true
		}
		if i >= len(segs) {
			return false
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if s != segs[i] {
			return false
		}
	}
	return len(segs) == len(t.segments)
}

// Template is the path template path matches ("/v1/links/{id}"), the most
// literal one when several do (/v1/links/bulk before /v1/links/{id}), or
// "" when it matches none: a bounded label for metrics.
func (rs *Routes) Template(path string) string {
	best, bestVars := "", -1
	rs.each(path, func(t template) {
		vars := 0
		for _, s := range t.segments {
			if strings.HasPrefix(s, "{") {
				vars++
			}
		}
		if bestVars < 0 || vars < bestVars {
			best, bestVars = "/"+strings.Join(t.segments, "/"), vars
		}
	})
	return best
}
