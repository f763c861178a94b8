package schemas

import "time"

// Attribution models and matches (Attribution.Model, .MatchedBy).
const (
	// AttributionLastClick credits the click the conversion named, or else
	// the contact's last click before the conversion.
	AttributionLastClick = "last_click"
	MatchedByClickID     = "click_id"   // the conversion named the click
	MatchedByContactID   = "contact_id" // the contact's last click before the conversion
)

// AttributedConversion is the data of conversion.attributed: the
// conversion as the customer reported it and the click credited for it,
// with the same privacy-safe click facts as click.created. LinkID, Domain
// and Tags are the credited link's, for endpoint filters.
type AttributedConversion struct {
	ConversionID string            `json:"conversion_id"`
	Name         string            `json:"name"`
	ExternalID   string            `json:"external_id,omitempty"`
	OccurredAt   time.Time         `json:"occurred_at"`
	Amount       int64             `json:"amount,omitempty"` // minor units of Currency
	Currency     string            `json:"currency,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	// ContactID is the conversion's contact, or else the click's.
	ContactID   string          `json:"contact_id,omitempty"`
	LinkID      string          `json:"link_id"`
	Domain      string          `json:"domain"`
	Tags        []string        `json:"tags,omitempty"`
	Attribution Attribution     `json:"attribution"`
	Click       AttributedClick `json:"click"`
}

// Attribution says how the click was chosen.
type Attribution struct {
	// Model is AttributionLastClick: the named click, or the contact's
	// last click before the conversion.
	Model string `json:"model"`
	// MatchedBy is MatchedByClickID or MatchedByContactID.
	MatchedBy string `json:"matched_by"`
}

// AttributedClick is the credited click: WebhookClick plus when it
// happened.
type AttributedClick struct {
	WebhookClick
	ClickedAt time.Time `json:"clicked_at"`
	Type      string    `json:"type"` // click or qr_scan
}
