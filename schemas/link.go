package schemas

import (
	"encoding/json"
	"fmt"
	"time"
)

// The links.v1 topic (TopicLinks) is the compacted table of every short
// link: each record is one link, whole, as it stands after a change, keyed
// by LinkRecordKey and with the headers below. Every redirect node tails
// the whole topic into its own store (last writer wins on updated_at), so
// the latest record of a domain/path is the link every node serves.
//
// The record has no "v" member: it was json.Marshal of the redirector's
// link model before it had a type of its own, and its bytes are pinned by
// testdata/link_v1.json. A change that is not an added optional field is a
// new topic (links.v2), as for every other record here.
const (
	// LinkRecordSchema names the format in the HeaderLinkSchema header.
	LinkRecordSchema = "link.v1"
	// HeaderLinkChange is the header holding the change that wrote the
	// record: one of the link event types (EventLinkCreated...).
	HeaderLinkChange = "type"
	// HeaderLinkSchema is the header holding LinkRecordSchema.
	HeaderLinkSchema = "schema"
)

// LinkRecord is one link on TopicLinks. Its fields are those of the
// redirector's link model (package redirect converts both ways, and
// documents the rules each field obeys); the encoding is encoding/json's.
type LinkRecord struct {
	ID               string            `json:"id"`
	WorkspaceID      string            `json:"workspace_id"`
	Domain           string            `json:"domain"`
	Path             string            `json:"path"`
	DestinationURL   string            `json:"destination_url"`
	UTM              UTM               `json:"utm"`
	Tags             []string          `json:"tags,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
	Disabled         bool              `json:"disabled"`
	DeletedAt        *time.Time        `json:"deleted_at,omitempty"`
	ExternalID       string            `json:"external_id,omitempty"`
	ExpiresAt        *time.Time        `json:"expires_at,omitempty"`
	ExpiredURL       string            `json:"expired_url,omitempty"`
	ExpiredRedirect  bool              `json:"expired_redirect,omitempty"`
	RedirectCode     int               `json:"redirect_code"`
	Rules            []LinkRule        `json:"rules,omitempty"`
	Variants         []LinkVariant     `json:"variants,omitempty"`
	TrackConversions bool              `json:"track_conversions,omitempty"`
}

// LinkRule is a routing rule of a LinkRecord.
type LinkRule struct {
	ID             string   `json:"id"`
	Devices        []string `json:"devices,omitempty"`
	OS             []string `json:"os,omitempty"`
	Countries      []string `json:"countries,omitempty"`
	Languages      []string `json:"languages,omitempty"`
	DestinationURL string   `json:"destination_url"`
}

// LinkVariant is an A/B variant of a LinkRecord.
type LinkVariant struct {
	ID             string `json:"id"`
	Weight         int    `json:"weight"`
	DestinationURL string `json:"destination_url"`
}

// LinkRecordKey is the key of a link's records on TopicLinks: compaction
// keeps the latest record of each domain/path.
func LinkRecordKey(domain, path string) string { return domain + "/" + path }

// Marshal encodes l for TopicLinks.
func (l *LinkRecord) Marshal() ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode link record %s: %w", l.ID, err)
	}
	return b, nil
}

// DecodeLinkRecord decodes a TopicLinks record and checks the fields that
// identify the link; the error names the first missing one (a *FieldError).
// The rest of the link is the redirector's to validate when it stores it.
func DecodeLinkRecord(b []byte) (*LinkRecord, error) {
	var l LinkRecord
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("decode link record: %w", err)
	}
	var err error
	switch {
	case l.ID == "":
		err = fieldErr("id", "required")
	case l.WorkspaceID == "":
		err = fieldErr("workspace_id", "required")
	case l.Domain == "":
		err = fieldErr("domain", "required")
	case l.Path == "":
		err = fieldErr("path", "required")
	}
	if err != nil {
		return nil, fmt.Errorf("decode link record %s: %w", l.ID, err)
	}
	return &l, nil
}
