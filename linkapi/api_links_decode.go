package linkapi

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
	"github.com/clicktrail/clicktrail/schemas"
)

// linkPatch is the body of PATCH /v1/links/{id}, a JSON merge patch (RFC
// 7396) of these members: a member left out is unchanged, null clears it
// (back to its default: no expiry, redirect_code 302, ...), an object
// (utm, metadata) is merged member by member the same way, and any other
// value (arrays included) replaces the old one. path and domain cannot be
// changed.
type linkPatch struct {
	DestinationURL   string             `json:"destination_url,omitempty"`
	UTM              *schemas.UTM       `json:"utm,omitempty"`
	Tags             []string           `json:"tags,omitempty"`
	Metadata         map[string]string  `json:"metadata,omitempty"`
	ExpiresAt        *string            `json:"expires_at,omitempty"` // RFC 3339
	ExpiredURL       string             `json:"expired_url,omitempty"`
	ExpiredRedirect  bool               `json:"expired_redirect,omitempty"`
	RedirectCode     int                `json:"redirect_code,omitempty"`
	Rules            []redirect.Rule    `json:"rules,omitempty"`
	Variants         []redirect.Variant `json:"variants,omitempty"`
	TrackConversions bool               `json:"track_conversions,omitempty"`
	ExternalID       string             `json:"external_id,omitempty"`
	// Disabled true makes the link answer 404 (event link.disabled); false
	// serves it again.
	Disabled bool `json:"disabled,omitempty"`
}

// patchOf is the patchable view of l, the document a patch is merged into.
func patchOf(l *redirect.Link) linkPatch {
	p := linkPatch{
		DestinationURL: l.DestinationURL, UTM: &l.UTM, Tags: l.Tags, Metadata: l.Metadata,
		ExpiredURL: l.ExpiredURL, ExpiredRedirect: l.ExpiredRedirect, RedirectCode: l.RedirectCode,
		Rules: l.Rules, Variants: l.Variants, TrackConversions: l.TrackConversions,
		ExternalID: l.ExternalID, Disabled: l.Disabled,
	}
	if l.ExpiresAt != nil {
		s := l.ExpiresAt.Format(time.RFC3339Nano)
		p.ExpiresAt = &s
	}
	return p
}

// decodePatch applies a PATCH body to a copy of old and returns the
// complete, valid result (UpdatedAt now) or an *APIError naming the bad
// field. old is not modified.
func decodePatch(body []byte, old *redirect.Link, now time.Time) (*redirect.Link, *APIError) {
	var patch map[string]any
	if err := DecodeStrict(body, &patch); err != nil {
		return nil, err
	}
	if patch == nil { // the body was null
		return nil, BadRequest(CodeInvalidJSON, "", "the body must be a JSON object")
	}
	for _, f := range [...]string{"path", "domain"} {
		if _, ok := patch[f]; ok {
			return nil, BadRequest(CodeInvalidField, f, "cannot be changed; create a new link instead")
		}
	}
	cur, err := json.Marshal(patchOf(old))
	if err != nil {
		return nil, &APIError{status: 500, Code: CodeInternal, Message: "encode link: " + err.Error()}
	}
	var doc any
	if err := json.Unmarshal(cur, &doc); err != nil {
		return nil, &APIError{status: 500, Code: CodeInternal, Message: "decode link: " + err.Error()}
	}
	merged, err := json.Marshal(mergePatch(doc, patch))
	if err != nil { // values came from json.Unmarshal: always encodable
		return nil, BadRequest(CodeInvalidJSON, "", err.Error())
	}
	var p linkPatch
	if aerr := DecodeStrict(bytes.TrimSpace(merged), &p); aerr != nil {
		return nil, aerr
	}
	l := old.Clone()
	l.DestinationURL = p.DestinationURL
	l.UTM = schemas.UTM{}
	if p.UTM != nil {
		l.UTM = *p.UTM
	}
	l.Tags, l.Metadata = p.Tags, p.Metadata
	l.ExpiresAt = nil
	if p.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *p.ExpiresAt)
		if err != nil {
			return nil, BadRequest(CodeInvalidField, "expires_at", "want an RFC 3339 time such as 2026-12-31T23:59:59Z")
		}
		l.ExpiresAt = &t
	}
	l.ExpiredURL, l.ExpiredRedirect = p.ExpiredURL, p.ExpiredRedirect
	l.RedirectCode = p.RedirectCode
	if l.RedirectCode == 0 {
		l.RedirectCode = 302
	}
	l.Rules, l.Variants = normalizeRules(p.Rules), p.Variants
	l.TrackConversions, l.ExternalID, l.Disabled = p.TrackConversions, p.ExternalID, p.Disabled
	l.UpdatedAt = now
	if aerr := validateForAPI(l); aerr != nil {
		return nil, aerr
	}
	return l, nil
}

// mergePatch applies an RFC 7396 merge patch to target and returns the
// result; it may modify target.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}
