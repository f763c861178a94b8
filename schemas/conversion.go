package schemas

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// ConversionVersion is the version of Conversion records.
const ConversionVersion = 1

// TopicConversions carries Conversion, keyed by click id (or contact id
// when the conversion has no click id), written by the conversions API
// (POST /v1/conversions) once the conversion is accepted.
const TopicConversions = "conversions.v1"

// Bounds of a conversion's fields.
const (
	MaxConversionNameLen   = 64
	MaxConversionIDLen     = 128 // contact_id and external_id
	MaxConversionMetadata  = 20  // keys
	MaxConversionMetaKey   = 64
	MaxConversionMetaValue = 512
	// MaxConversionAmount bounds |amount| (minor units): a quadrillion
	// cents is far above any real order and far below int64 and float64
	// precision, so JavaScript receivers read it exactly.
	MaxConversionAmount = 1_000_000_000_000_000
)

// Conversion is one conversion a customer reports (a lead, a sign-up, a
// sale): what happened, when, and how to find the click that led to it.
// ClickID is the event id of the click (the redirector appends it to the
// destination as ct_click for links that track conversions); ContactID is
// the customer's contact id, used when no click id is known (the contact's
// last click is credited). One of the two is required.
//
// EventID is assigned once, by the conversions API: a UUIDv5 of the
// workspace and ExternalID when the caller gave one (so reporting the same
// order twice yields the same event, and sinks keep one), a UUIDv7
// otherwise.
type Conversion struct {
	V           int       `json:"v"`
	EventID     string    `json:"event_id"`
	WorkspaceID string    `json:"workspace_id"`
	Name        string    `json:"name"` // e.g. lead, signup, purchase
	ClickID     string    `json:"click_id,omitempty"`
	ContactID   string    `json:"contact_id,omitempty"`
	ExternalID  string    `json:"external_id,omitempty"` // the caller's id (an order number)
	OccurredAt  time.Time `json:"occurred_at"`
	ReceivedAt  time.Time `json:"received_at"`
	// Amount is the conversion's value in minor units of Currency (cents
	// for USD, yen for JPY); negative for a refund. Currency is an ISO
	// 4217 code, required when Amount is not zero.
	Amount   int64             `json:"amount,omitempty"`
	Currency string            `json:"currency,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// The range of OccurredAt: what analytics stores can hold (ClickHouse's
// DateTime is seconds since 1970 in 32 bits).
var (
	minConversionTime = time.Unix(0, 0)
	maxConversionTime = time.Unix(1<<32, 0)
)

// FieldError is a validation error that names the bad field, so an API
// can answer it as such.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return "field " + e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate checks what the caller supplies (everything but v, event_id,
// workspace_id and received_at); the first bad field is named in a
// *FieldError.
func (c *Conversion) Validate() error {
	if err := validToken("name", c.Name, MaxConversionNameLen); err != nil {
		return err
	}
	if c.ClickID == "" && c.ContactID == "" {
		return fieldErr("click_id", "click_id or contact_id is required")
	}
	if c.ClickID != "" && !isUUID(c.ClickID) {
		return fieldErr("click_id", "want the click's event id, a UUID in canonical form")
	}
	if err := validID("contact_id", c.ContactID); err != nil {
		return err
	}
	if err := validID("external_id", c.ExternalID); err != nil {
		return err
	}
	if c.OccurredAt.IsZero() {
		return fieldErr("occurred_at", "required")
	}
	if c.OccurredAt.Before(minConversionTime) || !c.OccurredAt.Before(maxConversionTime) {
		return fieldErr("occurred_at", "want a time from 1970 to 2105, got %s", c.OccurredAt.Format(time.RFC3339))
	}
	if c.Amount > MaxConversionAmount || c.Amount < -MaxConversionAmount {
		return fieldErr("amount", "want at most %d in absolute value (minor units)", int64(MaxConversionAmount))
	}
	if c.Currency != "" && !isCurrency(c.Currency) {
		return fieldErr("currency", "want an ISO 4217 code of three capital letters, got %q", c.Currency)
	}
	if c.Amount != 0 && c.Currency == "" {
		return fieldErr("currency", "required with a non-zero amount")
	}
	if len(c.Metadata) > MaxConversionMetadata {
		return fieldErr("metadata", "at most %d keys", MaxConversionMetadata)
	}
	for k, v := range c.Metadata {
		if k == "" || len(k) > MaxConversionMetaKey || !utf8.ValidString(k) {
			return fieldErr("metadata", "keys are 1 to %d bytes of UTF-8", MaxConversionMetaKey)
		}
		if len(v) > MaxConversionMetaValue || !utf8.ValidString(v) {
			return fieldErr("metadata."+k, "at most %d bytes of UTF-8", MaxConversionMetaValue)
		}
	}
	return nil
}

// DecodeConversion decodes and validates a conversions.v1 record; the
// error names the bad field.
func DecodeConversion(b []byte) (*Conversion, error) {
	var c Conversion
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decode conversion: %w", err)
	}
	if c.V != ConversionVersion {
		return nil, fmt.Errorf("decode conversion: v=%d: %w", c.V, ErrUnsupportedVersion)
	}
	var err error
	switch {
	case !isUUID(c.EventID):
		err = fieldErr("event_id", "want a UUID, got %q", c.EventID)
	case c.WorkspaceID == "":
		err = fieldErr("workspace_id", "required")
	case c.ReceivedAt.IsZero():
		err = fieldErr("received_at", "required")
	default:
		err = c.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("decode conversion %s: %w", c.EventID, err)
	}
	return &c, nil
}

// validToken checks a required lower-case name: letters, digits, and
// ._- after the first character.
func validToken(field, s string, max int) error {
	if s == "" {
		return fieldErr(field, "required")
	}
	if len(s) > max {
		return fieldErr(field, "at most %d characters", max)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '_' || c == '.' || c == '-')
		if !ok {
			return fieldErr(field, "want lower-case letters, digits and ._- (starting with a letter or digit), got %q", s)
		}
	}
	return nil
}

// validID checks an optional caller id: printable ASCII without spaces.
func validID(field, s string) error {
	if len(s) > MaxConversionIDLen {
		return fieldErr(field, "at most %d characters", MaxConversionIDLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return fieldErr(field, "want printable ASCII without spaces")
		}
	}
	return nil
}

func isCurrency(s string) bool {
	return len(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z'
}

// isUUID reports whether s is a UUID in canonical lower- or upper-case
// 8-4-4-4-12 form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Marshal encodes c (encoding/json: conversions are few beside clicks).
func (c *Conversion) Marshal() ([]byte, error) { return json.Marshal(c) }
