package webhook

import (
	"encoding/json"
	"fmt"

	"github.com/clicktrail/clicktrail/schemas"
	"github.com/google/uuid"
)

// The event types, the schemas.WebhookPayload envelope and the data of
// each type (schemas.WebhookClick, schemas.AttributedConversion) are the
// contract with receivers, declared in package schemas; this file makes
// messages of them.

// VariantChosenMessage returns the rule.variant_chosen message of a click
// that a rule or variant routed (c.RuleID or c.Variant set).
func VariantChosenMessage(c *schemas.EnrichedClick, shortURL string) (Message, error) {
	id := uuid.NewSHA1(variantNamespace, []byte(c.EventID)).String()
	return NewMessage(id, schemas.WebhookPayload{Type: schemas.EventRuleVariantChosen, Timestamp: c.Time.UTC(), Data: schemas.WebhookClickOf(c, shortURL)})
}

// variantNamespace derives rule.variant_chosen ids from click event ids.
var variantNamespace = uuid.MustParse("6f1d2a9e-4c51-5b8e-9a57-0c3f1e7b2d40")

// Message is one webhook ready to send to any number of endpoints: the
// event id (sent as webhook-id on every attempt) and the encoded payload.
type Message struct {
	ID   string
	Type string
	Body []byte
}

// NewMessage encodes p as the message for event id.
func NewMessage(id string, p schemas.WebhookPayload) (Message, error) {
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
	typ, err := schemas.ClickEventType(c)
	if err != nil {
		return Message{}, fmt.Errorf("click %s: %w", c.EventID, err)
	}
	return NewMessage(c.EventID, schemas.WebhookPayload{Type: typ, Timestamp: c.Time.UTC(), Data: schemas.WebhookClickOf(c, shortURL)})
}
