package crm

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// Event types an integration may subscribe to.
const (
	EventClick      = schemas.EventClickCreated         // a click of a known contact
	EventConversion = schemas.EventConversionAttributed // a conversion credited to a click
)

// EventTypes are the event types an integration may subscribe to.
var EventTypes = []string{EventClick, EventConversion}

// Event is what a CRM adapter writes: one click or conversion of one
// contact. ID is the click's event id or the conversion's id, unique and
// stable across redeliveries, so CRMs with external ids (Salesforce) make
// it their key and the ledger remembers it for the others.
type Event struct {
	ID          string            `json:"id"`
	Type        string            `json:"type"`
	WorkspaceID string            `json:"workspace_id"`
	ContactID   string            `json:"contact_id"`
	Time        time.Time         `json:"time"`
	Fields      map[string]string `json:"fields"`
}

// ClickFields are the source fields of a click event, what a click
// mapping may name.
var ClickFields = []string{
	"event_id", "link_id", "short_url", "destination", "domain", "path", "clicked_at",
	"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
	"country", "region", "city", "device_type", "os", "browser", "referrer_host", "tags", "qr",
}

// ConversionFields are the source fields of a conversion event: the
// conversion and the credited click.
var ConversionFields = []string{
	"conversion_id", "name", "external_id", "occurred_at", "amount", "currency", "link_id", "domain",
	"short_url", "click_id", "clicked_at", "matched_by", "attribution_model",
	"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
	"country", "device_type", "referrer_host", "tags",
}

// SourceFields returns the source fields of an event type.
func SourceFields(typ string) []string {
	if typ == EventConversion {
		return ConversionFields
	}
	return ClickFields
}

// ClickEvent flattens an enriched click of a contact. ok is false when
// the click has no contact (nothing for a CRM) or is a bot's.
func ClickEvent(c *schemas.EnrichedClick, shortURL string) (Event, bool) {
	if c.ContactID == "" || c.Bot {
		return Event{}, false
	}
	f := map[string]string{
		"event_id": c.EventID, "link_id": c.LinkID, "short_url": shortURL, "destination": c.Destination,
		"domain": c.Domain, "path": c.Path, "clicked_at": c.Time.UTC().Format(time.RFC3339),
		"utm_source": c.UTM.Source, "utm_medium": c.UTM.Medium, "utm_campaign": c.UTM.Campaign,
		"utm_term": c.UTM.Term, "utm_content": c.UTM.Content,
		"country": c.Country, "region": c.Region, "city": c.City, "device_type": c.DeviceType,
		"os": c.OS, "browser": c.Browser, "referrer_host": c.ReferrerHost, "tags": strings.Join(c.Tags, ","),
		"qr": strconv.FormatBool(c.Type == "qr_scan"),
	}
	return Event{ID: c.EventID, Type: EventClick, WorkspaceID: c.WorkspaceID, ContactID: c.ContactID,
		Time: c.Time.UTC(), Fields: f}, true
}

// ConversionEvent flattens a conversion.attributed link event. ok is false
// when the conversion has no contact.
func ConversionEvent(e *schemas.LinkEvent) (Event, bool, error) {
	var ac schemas.AttributedConversion
	if err := json.Unmarshal(e.Data, &ac); err != nil {
		return Event{}, false, fmt.Errorf("decode conversion.attributed %s: %w", e.ID, err)
	}
	if ac.ContactID == "" {
		return Event{}, false, nil
	}
	f := map[string]string{
		"conversion_id": ac.ConversionID, "name": ac.Name, "external_id": ac.ExternalID,
		"occurred_at": ac.OccurredAt.UTC().Format(time.RFC3339), "currency": ac.Currency,
		"link_id": ac.LinkID, "domain": ac.Domain, "short_url": ac.Click.ShortURL, "click_id": ac.Click.ClickID,
		"clicked_at": ac.Click.ClickedAt.UTC().Format(time.RFC3339), "matched_by": ac.Attribution.MatchedBy,
		"attribution_model": ac.Attribution.Model,
		"utm_source":        ac.Click.UTM.Source, "utm_medium": ac.Click.UTM.Medium, "utm_campaign": ac.Click.UTM.Campaign,
		"utm_term": ac.Click.UTM.Term, "utm_content": ac.Click.UTM.Content,
		"country": ac.Click.Country, "device_type": ac.Click.DeviceClass, "referrer_host": ac.Click.ReferrerHost,
		"tags": strings.Join(ac.Tags, ","),
	}
	if ac.Amount != 0 {
		f["amount"] = strconv.FormatInt(ac.Amount, 10)
	}
	id := ac.ConversionID
	if id == "" {
		id = e.ID
	}
	return Event{ID: id, Type: EventConversion, WorkspaceID: e.WorkspaceID, ContactID: ac.ContactID,
		Time: ac.OccurredAt.UTC(), Fields: f}, true, nil
}

// Summary is a one-line text of the event for a CRM's subject or title:
// "Clicked https://go.brand.com/spring" or "Converted: purchase (4999 EUR)".
func (e Event) Summary() string {
	if e.Type == EventConversion {
		s := "Converted: " + e.Fields["name"]
		if a := e.Fields["amount"]; a != "" {
			s += " (" + strings.TrimSpace(a+" "+e.Fields["currency"]) + ")"
		}
		return s
	}
	return "Clicked " + e.Fields["short_url"]
}

// Mapped returns the values mapping m gives for e: target -> value, for
// the targets whose source field e has (an empty value is left out).
func (e Event) Mapped(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for target, src := range m {
		if v := e.Fields[src]; v != "" {
			out[target] = v
		}
	}
	return out
}

// Split separates mapped values into the contact's own properties (targets
// "contact.<name>", returned without the prefix) and the event's or
// activity's fields (every other target).
func Split(mapped map[string]string) (contact, event map[string]string) {
	contact, event = map[string]string{}, map[string]string{}
	for k, v := range mapped {
		if name, ok := strings.CutPrefix(k, ContactPrefix); ok {
			contact[name] = v
		} else {
			event[k] = v
		}
	}
	return contact, event
}

// ContactPrefix marks a mapping target that is a property of the contact
// record (HubSpot contact property, Salesforce Lead or Contact field,
// Pipedrive person field) rather than of the event or activity.
const ContactPrefix = "contact."

// validType reports whether typ is an event type of EventTypes.
func validType(typ string) bool { return slices.Contains(EventTypes, typ) }
