package webhook

import "time"

// EventConversionAttributed is sent for a conversion reported through the
// conversions API once the click that led to it is known: the click the
// conversion named (its ct_click id) or the contact's last click before it (see
// package sinks/crm). Data: ConversionData; webhook-id: the conversion's
// event id, so a conversion reported twice with one external_id is one
// message.
const EventConversionAttributed = "conversion.attributed"

// ConversionData is the data of conversion.attributed: the conversion as
// the customer reported it and the click credited for it, with the same
// privacy-safe click facts as click.created. LinkID, Domain and Tags are
// the credited link's, for endpoint filters.
type ConversionData struct {
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
	Click       ConversionClick `json:"click"`
}

// Attribution says how the click was chosen.
type Attribution struct {
	// Model is "last_click": the named click, or the contact's last
	// click before the conversion.
	Model string `json:"model"`
	// MatchedBy is "click_id" or "contact_id".
	MatchedBy string `json:"matched_by"`
}

// ConversionClick is the credited click: Click plus when it happened.
type ConversionClick struct {
	Click
	ClickedAt time.Time `json:"clicked_at"`
	Type      string    `json:"type"` // click or qr_scan
}
