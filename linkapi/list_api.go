package linkapi

import (
	"encoding/base64"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

// listLinksResponse is the body of GET /v1/links.
type listLinksResponse struct {
	Links []linkResponse `json:"links"`
	// NextCursor, when present, fetches the next page (?cursor=), which may
	// be short or even empty when a filter is selective; when absent this
	// was the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// listQuery are the query parameters of GET /v1/links.
var listQuery = []queryParam{
	{"domain", "string", "Only links on this domain."},
	{"tag", "string", "Only links with this tag."},
	{"q", "string", "Text in path or destination_url, any case."},
	{"created_after", "date-time", "Created at or after (RFC 3339)."},
	{"created_before", "date-time", "Created before (RFC 3339)."},
	{"updated_after", "date-time", "Updated at or after (RFC 3339)."},
	{"updated_before", "date-time", "Updated before (RFC 3339)."},
	{"include_deleted", "boolean", "Also deleted links (default false)."},
	{"limit", "integer", "Page size, 1-1000 (default 50)."},
	{"cursor", "string", "The next_cursor of the previous page."},
}

var listParams = queryNames(listQuery)

// parseListQuery reads the query of GET /v1/links into a ListQuery, or an
// *APIError naming the bad parameter.
func parseListQuery(workspace string, values map[string][]string) (redirect.ListQuery, *APIError) {
	q := redirect.ListQuery{WorkspaceID: workspace}
	if aerr := CheckQuery(values, listParams); aerr != nil {
		return q, aerr
	}
	get := func(name string) string {
		if v := values[name]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	q.Domain, q.Tag, q.Text = get("domain"), get("tag"), get("q")
	for _, t := range [...]struct {
		name string
		dst  *time.Time
	}{
		{"created_after", &q.CreatedAfter}, {"created_before", &q.CreatedBefore},
		{"updated_after", &q.UpdatedAfter}, {"updated_before", &q.UpdatedBefore},
	} {
		if s := get(t.name); s != "" {
			v, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return q, BadRequest(CodeInvalidField, t.name, "want an RFC 3339 time such as 2026-12-31T23:59:59Z")
			}
			*t.dst = v
		}
	}
	if s := get("limit"); s != "" {
		n, err := ParseLimit(s)
		if err != nil {
			return q, BadRequest(CodeInvalidField, "limit", err.Error())
		}
		q.Limit = n
	}
	if s := get("cursor"); s != "" {
		id, ok := decodeListCursor(s)
		if !ok {
			return q, BadRequest(CodeInvalidField, "cursor", "not a next_cursor this API gave out")
		}
		q.After = id
	}
	switch get("include_deleted") {
	case "", "false":
	case "true":
		q.IncludeDeleted = true
	default:
		return q, BadRequest(CodeInvalidField, "include_deleted", "want true or false")
	}
	return q, nil
}

// listLinks answers GET /v1/links. Query parameters: domain, tag, q (text
// in path or destination_url, any case), created_after, created_before,
// updated_after, updated_before (RFC 3339; after inclusive, before
// exclusive), include_deleted (default false), limit (default 50, at most
// 1000) and cursor (a next_cursor). Links come in id order; see Store.List
// for the cost and for what concurrent writes do to a walk.
func (a *api) listLinks(w http.ResponseWriter, r *http.Request) {
	q, aerr := parseListQuery(principal(r).WorkspaceID, r.URL.Query())
	if aerr != nil {
		WriteError(w, aerr)
		return
	}
	links, after, err := a.cfg.Store.List(r.Context(), q)
	if err != nil {
		a.internalError(w, "list links", err)
		return
	}
	resp := listLinksResponse{Links: make([]linkResponse, len(links)), NextCursor: encodeListCursor(after)}
	for i, l := range links {
		resp.Links[i] = a.linkResponse(l)
	}
	WriteJSON(w, http.StatusOK, resp)
}

// CheckQuery refuses a query parameter not in allowed, or given twice. The
// error for an unknown one lists the parameters the route takes.
func CheckQuery(values map[string][]string, allowed map[string]bool) *APIError {
	for name, v := range values {
		if !allowed[name] {
			msg := "unknown query parameter"
			if name == "" {
				msg = "a query parameter without a name"
			}
			return BadRequest(CodeUnknownField, name, msg+"; want "+oneOf(allowed))
		}
		if len(v) != 1 {
			return BadRequest(CodeInvalidField, name, "give it once")
		}
	}
	return nil
}

// oneOf lists the names of set in order: "a", "a or b", "one of a, b, c".
func oneOf(set map[string]bool) string {
	names := slices.Sorted(maps.Keys(set))
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " or " + names[1]
	}
	return "one of " + strings.Join(names, ", ")
}

// ParseLimit reads a limit query parameter: an integer from 1 to
// MaxListLimit.
func ParseLimit(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > redirect.MaxListLimit {
		return 0, errors.New("want an integer from 1 to " + strconv.Itoa(redirect.MaxListLimit))
	}
	return n, nil
}

// listCursorVersion starts every cursor, so their format can change.
const listCursorVersion = "c1:"

// encodeListCursor makes the opaque next_cursor of a page from the id of
// its last link.
func encodeListCursor(afterID string) string {
	if afterID == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(listCursorVersion + afterID))
}

// decodeListCursor is the inverse of encodeListCursor.
func decodeListCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	id, ok := strings.CutPrefix(string(b), listCursorVersion)
	return id, ok && redirect.ValidLinkID(id)
}
