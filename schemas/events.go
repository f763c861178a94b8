package schemas

import "fmt"

// Event types of the webhooks and of the link events topic: hierarchical
// and full-stop delimited, as the Standard Webhooks spec recommends. Each
// fixes the schema of WebhookPayload.Data. The webhook sink's own events
// (webhook.endpoint.disabled) and its alerts (alert.*, click.digest) are
// declared by the sink, which alone produces them.
const (
	EventClickCreated  = "click.created"   // Data: WebhookClick
	EventQRScanCreated = "qr_scan.created" // Data: WebhookClick
	// The link.* data is the link as the link API answers it
	// (LinkEvent.Data).
	EventLinkCreated  = "link.created"
	EventLinkUpdated  = "link.updated"
	EventLinkDisabled = "link.disabled"
	EventLinkDeleted  = "link.deleted"
	// EventLinkDestinationBroken and EventLinkDestinationRecovered come
	// from the destination checker (package redirect/linkcheck); their
	// data is its Event: link_id, domain, path, field, destination,
	// status, error, consecutive_failures.
	EventLinkDestinationBroken    = "link.destination_broken"
	EventLinkDestinationRecovered = "link.destination_recovered"
	// EventRuleVariantChosen is sent, besides click.created, for a click
	// that a routing rule or an A/B variant sent somewhere (Data:
	// WebhookClick, with rule_id or variant set); its webhook-id is
	// derived from the click's event id, so redeliveries keep it.
	EventRuleVariantChosen = "rule.variant_chosen"
	// EventJobSucceeded and EventJobFailed end a bulk link job; their data
	// is the job (id, status, counts, first errors).
	EventJobSucceeded = "job.succeeded"
	EventJobFailed    = "job.failed"
	// EventConversionAttributed is sent for a conversion reported through
	// the conversions API once the click that led to it is known: the
	// click the conversion named (its ct_click id) or the contact's last
	// click before it (see package attribution). Data:
	// AttributedConversion; webhook-id: the conversion's event id, so a
	// conversion reported twice with one external_id is one message.
	EventConversionAttributed = "conversion.attributed"
)

// EventTypes lists every event type above, for endpoint subscriptions.
var EventTypes = []string{
	EventClickCreated, EventQRScanCreated, EventRuleVariantChosen,
	EventLinkCreated, EventLinkUpdated, EventLinkDisabled, EventLinkDeleted,
	EventLinkDestinationBroken, EventLinkDestinationRecovered,
	EventJobSucceeded, EventJobFailed, EventConversionAttributed,
}

// ClickEventType returns the event type of a click: click.created or
// qr_scan.created.
func ClickEventType(c *EnrichedClick) (string, error) {
	switch c.Type {
	case ClickTypeClick:
		return EventClickCreated, nil
	case ClickTypeQRScan:
		return EventQRScanCreated, nil
	}
	return "", fmt.Errorf("field type: no webhook event for click type %q", c.Type)
}
