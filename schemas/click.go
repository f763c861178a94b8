package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/clicktrail/clicktrail/schemas/jsonenc"
)

// Versions of the payloads. Bump only with a new topic (see package doc).
const (
	RawClickVersion      = 1
	EnrichedClickVersion = 1
)

// Click types.
const (
	ClickTypeClick  = "click"
	ClickTypeQRScan = "qr_scan"
)

// UTM holds the campaign parameters of a link or a click.
type UTM struct {
	Source   string `json:"source,omitempty"`
	Medium   string `json:"medium,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	Term     string `json:"term,omitempty"`
	Content  string `json:"content,omitempty"`
}

// RawClick is what the redirector records for one served redirect. It is the
// only event that carries the visitor's IP address; enrich consumes it and
// nothing else may persist it beyond the spool and clicks.raw.v1.
type RawClick struct {
	V           int       `json:"v"`
	EventID     string    `json:"event_id"` // UUIDv7, assigned once by the redirector
	Type        string    `json:"type"`     // ClickTypeClick or ClickTypeQRScan
	Time        time.Time `json:"ts"`
	WorkspaceID string    `json:"workspace_id,omitempty"`
	LinkID      string    `json:"link_id"`
	Domain      string    `json:"domain"`
	Path        string    `json:"path"`
	Destination string    `json:"destination"` // the URL the visitor was sent to

	IP             string `json:"ip"`
	UserAgent      string `json:"user_agent,omitempty"`
	Referer        string `json:"referer,omitempty"`
	AcceptLanguage string `json:"accept_language,omitempty"`

	UTM      UTM               `json:"utm,omitempty"`
	Tags     []string          `json:"tags,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
	RuleID   string            `json:"rule_id,omitempty"`
	Variant  string            `json:"variant,omitempty"`
}

// EnrichedClick is a RawClick after enrich: no raw IP, a keyed visitor hash,
// geo, device and referrer facts. It is what the sinks consume.
type EnrichedClick struct {
	V           int       `json:"v"`
	EventID     string    `json:"event_id"`
	Type        string    `json:"type"`
	Time        time.Time `json:"ts"`
	WorkspaceID string    `json:"workspace_id,omitempty"`
	LinkID      string    `json:"link_id"`
	Domain      string    `json:"domain"`
	Path        string    `json:"path"`
	Destination string    `json:"destination"`

	// IPPrefix is the truncated address (IPv4 /24, IPv6 /48) in CIDR form.
	IPPrefix string `json:"ip_prefix"`
	// VisitorHash is a keyed hash of (day salt, IP, user agent, domain): the
	// same visitor on the same day and domain gets the same value; it cannot
	// be linked across days nor reversed without the secret. It is encoded as
	// a decimal string: JSON numbers above 2^53 lose precision in JavaScript,
	// and webhook receivers are often JavaScript.
	VisitorHash uint64 `json:"visitor_hash,string"`

	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Region  string `json:"region,omitempty"`  // ISO 3166-2 subdivision code
	City    string `json:"city,omitempty"`

	DeviceType string `json:"device_type"` // desktop, mobile, tablet, bot, other
	OS         string `json:"os,omitempty"`
	Browser    string `json:"browser,omitempty"`
	Bot        bool   `json:"bot"`
	BotName    string `json:"bot_name,omitempty"`

	ReferrerHost string `json:"referrer_host,omitempty"`
	Language     string `json:"language,omitempty"` // first Accept-Language tag

	UTM       UTM               `json:"utm,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Metadata  map[string]string `json:"metadata,omitempty"`
	ContactID string            `json:"contact_id,omitempty"` // from metadata "contact_id"
	RuleID    string            `json:"rule_id,omitempty"`
	Variant   string            `json:"variant,omitempty"`
	// Internal marks a click from the deployment's own networks
	// (enrich.Config.InternalNetworks): test and staff traffic that alerts
	// and webhooks can exclude without ever seeing the address.
	Internal bool `json:"internal,omitempty"`
}

// ErrUnsupportedVersion is returned when a payload carries a version this
// build does not understand.
var ErrUnsupportedVersion = errors.New("unsupported schema version")

// Marshal encodes c as encoding/json would (see AppendJSON), in one
// allocation. It fails only when c.Time cannot be written as RFC 3339
// (year outside 0..9999), never for a RawClick built in this process.
func (c *RawClick) Marshal() ([]byte, error) {
	if !jsonenc.TimeOK(c.Time) {
		return json.Marshal(c) // for encoding/json's exact error
	}
	return c.AppendJSON(make([]byte, 0, rawSizeHint)), nil
}

// Marshal encodes c; see RawClick.Marshal.
func (c *EnrichedClick) Marshal() ([]byte, error) {
	if !jsonenc.TimeOK(c.Time) {
		return json.Marshal(c)
	}
	return c.AppendJSON(make([]byte, 0, enrichedSizeHint)), nil
}

// Initial capacities of Marshal's buffers: a typical click (long user
// agent, a few tags) fits, so the buffer rarely regrows.
const (
	rawSizeHint      = 640
	enrichedSizeHint = 1024
)

// DecodeRawClick decodes and validates b. The error says which field is bad.
func DecodeRawClick(b []byte) (*RawClick, error) {
	var c RawClick
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decode raw click: %w", err)
	}
	if c.V != RawClickVersion {
		return nil, fmt.Errorf("decode raw click: v=%d: %w", c.V, ErrUnsupportedVersion)
	}
	if err := validateCommon(c.EventID, c.Type, c.LinkID, c.Time); err != nil {
		return nil, fmt.Errorf("decode raw click: %w", err)
	}
	return &c, nil
}

// DecodeEnrichedClick decodes and validates b.
func DecodeEnrichedClick(b []byte) (*EnrichedClick, error) {
	var c EnrichedClick
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decode enriched click: %w", err)
	}
	if c.V != EnrichedClickVersion {
		return nil, fmt.Errorf("decode enriched click: v=%d: %w", c.V, ErrUnsupportedVersion)
	}
	if err := validateCommon(c.EventID, c.Type, c.LinkID, c.Time); err != nil {
		return nil, fmt.Errorf("decode enriched click: %w", err)
	}
	return &c, nil
}

func validateCommon(eventID, typ, linkID string, ts time.Time) error {
	switch {
	case len(eventID) != 36:
		return fmt.Errorf("field event_id: want a 36-character UUID, got %q", eventID)
	case typ != ClickTypeClick && typ != ClickTypeQRScan:
		return fmt.Errorf("field type: want %q or %q, got %q", ClickTypeClick, ClickTypeQRScan, typ)
	case linkID == "":
		return errors.New("field link_id: required")
	case ts.IsZero():
		return errors.New("field ts: required")
	}
	return nil
}
