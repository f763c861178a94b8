package linkapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/linkapi/templates"
	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// createLinkRequest is the body of POST /v1/links.
type createLinkRequest struct {
	DestinationURL string            `json:"destination_url"`
	Domain         string            `json:"domain"`
	Path           string            `json:"path"`
	UTM            schemas.UTM       `json:"utm"`
	Tags           []string          `json:"tags"`
	Metadata       map[string]string `json:"metadata"`
	RedirectCode   int               `json:"redirect_code"`
	ExpiresAt      *string           `json:"expires_at"` // RFC 3339; a string so errors can name it
	ExpiredURL     string            `json:"expired_url"`
	// Routing and tracking; see Link.
	ExpiredRedirect  bool               `json:"expired_redirect"`
	Rules            []redirect.Rule    `json:"rules"`
	Variants         []redirect.Variant `json:"variants"`
	TrackConversions bool               `json:"track_conversions"`
	// ExternalID is the caller's unique id for the link; see Link.
	ExternalID string `json:"external_id"`
	// OnConflict says what to do when path is taken: "error" (the
	// default, 409 path_taken) or "suffix": take the first free of
	// path-2, path-3, ...
	OnConflict string `json:"on_conflict"`
	// Template names the workspace's UTM template to apply ("default"
	// when empty, if the workspace has one); see template.go.
	Template string `json:"template"`
	// Values fill the {{placeholders}} of destination_url and of the
	// template; see personalize.go. values.contact_id also becomes
	// metadata.contact_id unless metadata has one.
	Values map[string]string `json:"values"`
}

// Values of createLinkRequest.OnConflict.
const (
	OnConflictError  = "error"
	OnConflictSuffix = "suffix"
)

// decodedCreate is a decoded create (or upsert) body.
type decodedCreate struct {
	link       *redirect.Link
	generated  bool // the path was generated at random
	onConflict string
	template   string            // as requested; "" means the default template, if any
	values     map[string]string // personalization values
	used       map[string]bool   // values the destination used
}

// decodeCreateLink turns a POST /v1/links body into a complete, valid link
// (new id, timestamps now, a random path when none was given, in which case
// generated is true) or an *APIError naming the bad field.
func decodeCreateLink(body []byte, defaultDomain string, now time.Time) (l *redirect.Link, generated bool, _ *APIError) {
	d, err := decodeCreate(body, defaultDomain, now)
	return d.link, d.generated, err
}

// decodeCreate is decodeCreateLink with the request's options.
func decodeCreate(body []byte, defaultDomain string, now time.Time) (decodedCreate, *APIError) {
	var req createLinkRequest
	if err := DecodeStrict(body, &req); err != nil {
		return decodedCreate{}, err
	}
	switch req.OnConflict {
	case "", OnConflictError, OnConflictSuffix:
	default:
		return decodedCreate{}, BadRequest(CodeInvalidField, "on_conflict", `want "error" or "suffix"`)
	}
	if req.Template != "" && !templates.ValidName(req.Template) {
		return decodedCreate{}, BadRequest(CodeInvalidField, "template", "want 1 to 64 characters a-z 0-9 _ -")
	}
	// used records the values placeholders took; without values no
	// placeholder can be filled (each fails first), so it stays nil: no
	// map for every create, or every bulk item, that personalizes nothing.
	var used map[string]bool
	if len(req.Values) > 0 {
		used = map[string]bool{}
		if fe := templates.ValidateValues(req.Values); fe != nil {
			return decodedCreate{}, BadRequest(CodeInvalidField, fe.Field, fe.Message)
		}
		if _, ok := req.Values["contact_id"]; ok && req.Metadata["contact_id"] == "" {
			if req.Metadata == nil {
				req.Metadata = map[string]string{}
			}
			req.Metadata["contact_id"] = req.Values["contact_id"]
		}
	}
	dest, fe := templates.FillDestination(req.DestinationURL, req.Values, used)
	if fe != nil {
		return decodedCreate{}, BadRequest(CodeInvalidField, fe.Field, fe.Message)
	}
	req.DestinationURL = dest
	l, generated, err := req.link(defaultDomain, now)
	return decodedCreate{link: l, generated: generated, onConflict: req.OnConflict,
		template: req.Template, values: req.Values, used: used}, err
}

// link builds the complete, valid link req describes.
func (req *createLinkRequest) link(defaultDomain string, now time.Time) (l *redirect.Link, generated bool, _ *APIError) {
	l = &redirect.Link{
		ID:             redirect.NewLinkID(),
		WorkspaceID:    redirect.DefaultWorkspaceID,
		Domain:         defaultDomain,
		Path:           req.Path,
		DestinationURL: req.DestinationURL,
		UTM:            req.UTM,
		Tags:           req.Tags,
		Metadata:       req.Metadata,
		CreatedAt:      now,
		UpdatedAt:      now,
		ExpiredURL:     req.ExpiredURL,
		RedirectCode:   req.RedirectCode,

		ExpiredRedirect:  req.ExpiredRedirect,
		Rules:            normalizeRules(req.Rules),
		Variants:         req.Variants,
		TrackConversions: req.TrackConversions,
		ExternalID:       req.ExternalID,
	}
	if req.Domain != "" {
		l.Domain = strings.ToLower(req.Domain) // api.allowDomain checks that the workspace may use it
	}
	if req.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *req.ExpiresAt)
		if err != nil {
			return nil, false, BadRequest(CodeInvalidField, "expires_at", "want an RFC 3339 time such as 2026-12-31T23:59:59Z")
		}
		l.ExpiresAt = &t
	}
	if l.RedirectCode == 0 {
		l.RedirectCode = 302
	}
	if l.Path == "" {
		l.Path, generated = redirect.RandomPath(), true
	}
	if err := validateForAPI(l); err != nil {
		return nil, false, err
	}
	return l, generated, nil
}

// validateForAPI runs l.Validate, and refuses a contact id that looks like
// an e-mail address, turning the error into a 400 that names the field.
func validateForAPI(l *redirect.Link) *APIError {
	if err := l.Validate(); err != nil {
		var fe *redirect.FieldError
		if errors.As(err, &fe) {
			aerr := BadRequest(CodeInvalidField, fe.Field, fe.Message)
			aerr.Rule = fe.Rule // the URL rule, for a URL field
			return aerr
		}
		return BadRequest(CodeInvalidField, "", err.Error())
	}
	if fe := templates.CheckContactID(l.Metadata); fe != nil {
		return BadRequest(CodeInvalidField, fe.Field, fe.Message)
	}
	return nil
}

// normalizeRules accepts criteria in any case: countries upper-case,
// devices, OS and languages lower-case, as Link.Validate wants them.
func normalizeRules(rules []redirect.Rule) []redirect.Rule {
	for i := range rules {
		r := &rules[i]
		for _, l := range [][]string{r.Devices, r.OS, r.Languages} {
			for j := range l {
				l[j] = strings.ToLower(l[j])
			}
		}
		for j := range r.Countries {
			r.Countries[j] = strings.ToUpper(r.Countries[j])
		}
	}
	return rules
}

// DecodeStrict decodes exactly one JSON object into v, refusing unknown
// members, and turns encoding/json's errors into API errors that name the
// field.
func DecodeStrict(body []byte, v any) *APIError {
	if len(bytes.TrimSpace(body)) == 0 {
		return BadRequest(CodeInvalidJSON, "", "request body is empty; want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return BadRequest(CodeInvalidJSON, "", "unexpected data after the JSON object")
		}
		return nil
	}
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return BadRequest(CodeInvalidJSON, "", fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, err))
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return BadRequest(CodeInvalidJSON, "", "the body must be a JSON object")
	case errors.As(err, &typeErr):
		return BadRequest(CodeInvalidField, typeErr.Field, "wrong type: want "+jsonType(typeErr.Type.String())+", got "+typeErr.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest(CodeInvalidJSON, "", "truncated JSON")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return BadRequest(CodeUnknownField, name, "unknown field")
	}
	return BadRequest(CodeInvalidJSON, "", err.Error())
}

// jsonType names a Go type the way an API client thinks of it.
func jsonType(goType string) string {
	switch {
	case goType == "string" || goType == "*string":
		return "a string"
	case goType == "int":
		return "an integer"
	case goType == "bool":
		return "true or false"
	case goType == "[]string":
		return "an array of strings"
	case strings.HasPrefix(goType, "[]"):
		return "an array of objects"
	case strings.HasPrefix(goType, "map["):
		return "an object of string values"
	}
	return "an object"
}
