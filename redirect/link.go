package redirect

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clicktrail/clicktrail/internal/base62"
	"github.com/clicktrail/clicktrail/internal/urlrule"
	"github.com/clicktrail/clicktrail/schemas"
)

// DefaultWorkspaceID is the only workspace until workspaces exist.
const DefaultWorkspaceID = "default"

// Limits on a link's fields. The API refuses anything larger with a 400 that
// names the field; Link.Validate enforces the same limits for every writer.
const (
	MaxDestinationLen   = 2048 // bytes of destination_url and expired_url
	MaxPathLen          = 190  // bytes of path
	MaxDomainLen        = 253  // bytes of domain
	MaxUTMLen           = 256  // bytes of each utm field
	MaxTags             = 20   // entries in tags
	MaxTagLen           = 64   // bytes of each tag
	MaxMetadata         = 20   // entries in metadata
	MaxMetadataKeyLen   = 64   // bytes of each metadata key
	MaxMetadataValueLen = 512  // bytes of each metadata value
)

// Link is a short link: requests for Domain/Path are redirected to
// DestinationURL with the link's UTM parameters added.
type Link struct {
	ID             string            `json:"id"` // "lnk_" + 22 base62 characters
	WorkspaceID    string            `json:"workspace_id"`
	Domain         string            `json:"domain"` // lower-case host name, no port
	Path           string            `json:"path"`   // see the package doc for the rules
	DestinationURL string            `json:"destination_url"`
	UTM            schemas.UTM       `json:"utm"`
	Tags           []string          `json:"tags,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"` // e.g. contact_id
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	// Disabled links answer 404 and record no click.
	Disabled bool `json:"disabled"`
	// DeletedAt is when DELETE /v1/links/{id} disabled the link for good.
	// A deleted link keeps its path reserved and can no longer be changed.
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	// ExternalID is the caller's own id for the link (a CRM record id, a
	// SKU), unique per workspace; see ValidateExternalID.
	ExternalID string `json:"external_id,omitempty"`
	// ExpiresAt, when set, is the instant from which the link answers 410
	// Gone instead of redirecting (see the package doc, "Link states").
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	ExpiredURL string     `json:"expired_url,omitempty"`
	// ExpiredRedirect makes an expired link answer 302 to ExpiredURL
	// (required then) instead of 410.
	ExpiredRedirect bool `json:"expired_redirect,omitempty"`
	// RedirectCode is 301, 302 or 307; 0 means 302.
	RedirectCode int `json:"redirect_code"`
	// Rules route visitors by device, OS, country and language; the first
	// match wins. Variants split the visitors no rule matched between
	// weighted destinations. See the package doc, "Routing".
	Rules    []Rule    `json:"rules,omitempty"`
	Variants []Variant `json:"variants,omitempty"`
	// TrackConversions appends the click's event id to the destination's
	// query (RedirectConfig.ClickIDParam, "ct_click" by default), so that a
	// later conversion can name the click.
	TrackConversions bool `json:"track_conversions,omitempty"`
}

// Code returns the status code the redirector answers with.
func (l *Link) Code() int {
	if l.RedirectCode == 0 {
		return http.StatusFound
	}
	return l.RedirectCode
}

// Expired reports whether the link has expired at now.
func (l *Link) Expired(now time.Time) bool {
	return l.ExpiresAt != nil && !now.Before(*l.ExpiresAt)
}

// Validate checks every field against the rules and limits of this package
// and returns a *FieldError naming the first bad field.
func (l *Link) Validate() error {
	if !ValidLinkID(l.ID) {
		return FieldErrorf("id", "want %q followed by %d base62 characters", linkIDPrefix, linkIDRandLen)
	}
	if l.WorkspaceID == "" {
		return FieldErrorf("workspace_id", "required")
	}
	if err := ValidateDomain(l.Domain); err != nil {
		return err
	}
	if err := ValidatePath(l.Path); err != nil {
		return err
	}
	if err := urlProblem("destination_url", l.DestinationURL, urlrule.Web); err != nil {
		return err
	}
	if l.ExternalID != "" {
		if err := ValidateExternalID(l.ExternalID); err != nil {
			return err
		}
	}
	if l.Path == readyzPath {
		return FieldErrorf("path", "reserved")
	}
	if l.ExpiredURL != "" {
		if err := urlProblem("expired_url", l.ExpiredURL, urlrule.Web); err != nil {
			return err
		}
	} else if l.ExpiredRedirect {
		return FieldErrorf("expired_url", "required when expired_redirect is true")
	}
	switch l.RedirectCode {
	case 0, http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect:
	default:
		return FieldErrorf("redirect_code", "want 301, 302 or 307, got %d", l.RedirectCode)
	}
	if err := ValidateUTM(&l.UTM); err != nil {
		return err
	}
	if err := validateTags(l.Tags); err != nil {
		return err
	}
	if err := validateMetadata(l.Metadata); err != nil {
		return err
	}
	if err := validateRules(l.Rules); err != nil {
		return err
	}
	return validateVariants(l.Variants)
}

// ValidateUTM checks each UTM field as a link's, naming it (utm.source, ...).
func ValidateUTM(u *schemas.UTM) error {
	for _, f := range [...]struct{ name, v string }{
		{"utm.source", u.Source}, {"utm.medium", u.Medium}, {"utm.campaign", u.Campaign},
		{"utm.term", u.Term}, {"utm.content", u.Content},
	} {
		if err := TextProblem(f.v, MaxUTMLen); err != "" {
			return FieldErrorf(f.name, "%s", err)
		}
	}
	return nil
}

func validateTags(tags []string) error {
	if len(tags) > MaxTags {
		return FieldErrorf("tags", "at most %d tags, got %d", MaxTags, len(tags))
	}
	for i, t := range tags {
		if t == "" {
			return FieldErrorf("tags", "tag %d is empty", i)
		}
		if err := TextProblem(t, MaxTagLen); err != "" {
			return FieldErrorf("tags", "tag %d: %s", i, err)
		}
	}
	return nil
}

func validateMetadata(md map[string]string) error {
	if len(md) > MaxMetadata {
		return FieldErrorf("metadata", "at most %d entries, got %d", MaxMetadata, len(md))
	}
	for _, k := range slices.Sorted(maps.Keys(md)) { // sorted: the same input names the same key
		if !validMetadataKey(k) {
			return FieldErrorf("metadata", "key %.80q: want 1 to %d characters of A-Z a-z 0-9 _ . -", k, MaxMetadataKeyLen)
		}
		if err := TextProblem(md[k], MaxMetadataValueLen); err != "" {
			return FieldErrorf("metadata", "value of %q: %s", k, err)
		}
	}
	return nil
}

func validMetadataKey(k string) bool {
	if k == "" || len(k) > MaxMetadataKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(base62.IsAlnum(c) || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// validText checks free text: at most max bytes, valid UTF-8, no control
// characters. It returns "" or what is wrong.
// TextProblem says why s is not a valid short text (at most max bytes of
// UTF-8 without control characters), or returns "".
func TextProblem(s string, max int) string {
	if len(s) > max {
		return "longer than " + itoa(max) + " bytes"
	}
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "contains a control character"
	}
	return ""
}

// Clone returns a deep copy of l, so that a stored link shares nothing with
// the caller's.
func (l *Link) Clone() *Link {
	c := *l
	c.Tags = slices.Clone(l.Tags)
	c.Metadata = maps.Clone(l.Metadata)
	c.Rules = cloneRules(l.Rules)
	c.Variants = slices.Clone(l.Variants)
	if l.ExpiresAt != nil {
		t := *l.ExpiresAt
		c.ExpiresAt = &t
	}
	if l.DeletedAt != nil {
		t := *l.DeletedAt
		c.DeletedAt = &t
	}
	return &c
}
