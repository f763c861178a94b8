package schemas

import (
	"strconv"
	"time"
)

// WebhookPayload is the JSON body of every webhook: the Standard Webhooks
// envelope. Timestamp is when the event happened (the click), not when it
// was sent. Data's schema is fixed by Type (see the Event constants).
type WebhookPayload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// WebhookClick is the data of click.created and qr_scan.created: the
// minimum a CRM or automation needs, and nothing that identifies a person
// beyond what the customer already put in the link (ContactID). It never
// carries the IP address or its prefix, link metadata (free-form, may hold
// personal data) or tags.
type WebhookClick struct {
	ClickID      string `json:"click_id"` // the event id, also in webhook-id
	LinkID       string `json:"link_id"`
	ShortURL     string `json:"short_url"`
	Domain       string `json:"domain"`
	Destination  string `json:"destination"`
	UTM          UTM    `json:"utm"`
	Country      string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	DeviceClass  string `json:"device_class"`      // desktop, mobile, tablet, bot, other
	ReferrerHost string `json:"referrer_host,omitempty"`
	Bot          bool   `json:"bot"`
	ContactID    string `json:"contact_id,omitempty"`
	// RuleID and Variant say which routing rule or A/B variant chose the
	// destination, when one did.
	RuleID  string `json:"rule_id,omitempty"`
	Variant string `json:"variant,omitempty"`
	// VisitorHash is the keyed, daily-salted visitor hash as a decimal
	// string (JavaScript loses precision on integers above 2^53).
	VisitorHash string `json:"visitor_hash"`
}

// WebhookClickOf maps an enriched click to its webhook data. shortURL is
// the link's public URL (https://go.brand.com/spring), which the sink knows
// and the click does not carry.
func WebhookClickOf(c *EnrichedClick, shortURL string) WebhookClick {
	return WebhookClick{
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
