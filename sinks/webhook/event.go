package webhook

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
	"github.com/google/uuid"
)

// Event types: hierarchical and full-stop delimited, as the Standard
// Webhooks spec recommends. Each fixes the schema of Payload.Data. The
// link.* data is the link as the link API answers it (LinkEvent.Data);
// the alert types are in package alert.
const (
	EventClickCreated  = "click.created"   // Data: Click
	EventQRScanCreated = "qr_scan.created" // Data: Click
	EventLinkCreated   = "link.created"
	EventLinkUpdated   = "link.updated"
	EventLinkDisabled  = "link.disabled"
	EventLinkDeleted   = "link.deleted"
	// EventLinkDestinationBroken and EventLinkDestinationRecovered come
	// from the destination checker (package redirect/linkcheck); their
	// data is its Event: link_id, domain, path, field, destination,
	// status, error, consecutive_failures.
	EventLinkDestinationBroken    = "link.destination_broken"
	EventLinkDestinationRecovered = "link.destination_recovered"
	// EventRuleVariantChosen is sent, besides click.created, for a click
	// that a routing rule or an A/B variant sent somewhere (Data: Click,
	// with rule_id or variant set); its webhook-id is derived from the
	// click's event id, so redeliveries keep it.
	EventRuleVariantChosen = "rule.variant_chosen"
	// EventJobSucceeded and EventJobFailed end a bulk link job; their data
	// is the job (id, status, counts, first errors).
	EventJobSucceeded = "job.succeeded"
	EventJobFailed    = "job.failed"
)

// linkEventTypes are the types a LinkEvent record may carry.
var linkEventTypes = []string{
	EventLinkCreated, EventLinkUpdated, EventLinkDisabled, EventLinkDeleted,
	EventLinkDestinationBroken, EventLinkDestinationRecovered,
	EventJobSucceeded, EventJobFailed, EventConversionAttributed,
}

// EventTypes lists every event type, for endpoint subscriptions.
var EventTypes = []string{
	EventClickCreated, EventQRScanCreated, EventRuleVariantChosen,
	EventLinkCreated, EventLinkUpdated, EventLinkDisabled, EventLinkDeleted,
	EventLinkDestinationBroken, EventLinkDestinationRecovered,
	EventJobSucceeded, EventJobFailed, EventConversionAttributed,
}

// Payload is the JSON body of every webhook: the Standard Webhooks
// envelope. Timestamp is when the event happened (the click), not when it
// was sent.
type Payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// Click is the data of click.created and qr_scan.created: the minimum a CRM
// or automation needs, and nothing that identifies a person beyond what the
// customer already put in the link (ContactID). It never carries the IP
// address or its prefix, link metadata (free-form, may hold personal data)
// or tags.
type Click struct {
	ClickID      string      `json:"click_id"` // the event id, also in webhook-id
	LinkID       string      `json:"link_id"`
	ShortURL     string      `json:"short_url"`
	Domain       string      `json:"domain"`
	Destination  string      `json:"destination"`
	UTM          schemas.UTM `json:"utm"`
	Country      string      `json:"country,omitempty"` // ISO 3166-1 alpha-2
	DeviceClass  string      `json:"device_class"`      // desktop, mobile, tablet, bot, other
	ReferrerHost string      `json:"referrer_host,omitempty"`
	Bot          bool        `json:"bot"`
	ContactID    string      `json:"contact_id,omitempty"`
	// RuleID and Variant say which routing rule or A/B variant chose the
	// destination, when one did.
	RuleID  string `json:"rule_id,omitempty"`
	Variant string `json:"variant,omitempty"`
	// VisitorHash is the keyed, daily-salted visitor hash as a decimal
	// string (JavaScript loses precision on integers above 2^53).
	VisitorHash string `json:"visitor_hash"`
}

// ClickData maps an enriched click to its webhook data. shortURL is the
// link's public URL (https://go.brand.com/spring), which the sink knows and
// the click does not carry.
func ClickData(c *schemas.EnrichedClick, shortURL string) Click {
	return Click{
		ClickID:      c.EventID,
		LinkID:       c.LinkID,
		ShortURL:     shortURL,
		Domain:       c.Domain,
		Destination:  c.Destination,
		UTM:          c.UTM,
		Country:      c.Country,
		DeviceClass:  c.DeviceType,
		ReferrerHost: c.ReferrerHost,
		Bot:          c.Bot,
		ContactID:    c.ContactID,
		RuleID:       c.RuleID,
		Variant:      c.Variant,
		VisitorHash:  strconv.FormatUint(c.VisitorHash, 10),
	}
}

// VariantChosenMessage returns the rule.variant_chosen message of a click
// that a rule or variant routed (c.RuleID or c.Variant set).
func VariantChosenMessage(c *schemas.EnrichedClick, shortURL string) (Message, error) {
	id := uuid.NewSHA1(variantNamespace, []byte(c.EventID)).String()
	return NewMessage(id, Payload{Type: EventRuleVariantChosen, Timestamp: c.Time.UTC(), Data: ClickData(c, shortURL)})
}

// variantNamespace derives rule.variant_chosen ids from click event ids.
var variantNamespace = uuid.MustParse("6f1d2a9e-4c51-5b8e-9a57-0c3f1e7b2d40")

// ClickEventType returns the event type of a click: click.created or
// qr_scan.created.
func ClickEventType(c *schemas.EnrichedClick) (string, error) {
	switch c.Type {
	case schemas.ClickTypeClick:
		return EventClickCreated, nil
	case schemas.ClickTypeQRScan:
		return EventQRScanCreated, nil
	}
	return "", fmt.Errorf("field type: no webhook event for click type %q", c.Type)
}

// Message is one webhook ready to send to any number of endpoints: the
// event id (sent as webhook-id on every attempt) and the encoded Payload.
type Message struct {
	ID   string
	Type string
	Body []byte
}

// NewMessage encodes p as the message for event id.
func NewMessage(id string, p Payload) (Message, error) {
	if id == "" {
		return Message{}, fmt.Errorf("new %s message: empty event id", p.Type)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return Message{}, fmt.Errorf("new %s message: encode payload: %w", p.Type, err)
	}
	return Message{ID: id, Type: p.Type, Body: b}, nil
}

// ClickMessage returns the click.created or qr_scan.created message of c.
func ClickMessage(c *schemas.EnrichedClick, shortURL string) (Message, error) {
	typ, err := ClickEventType(c)
	if err != nil {
		return Message{}, fmt.Errorf("click %s: %w", c.EventID, err)
	}
	return NewMessage(c.EventID, Payload{Type: typ, Timestamp: c.Time.UTC(), Data: ClickData(c, shortURL)})
}
