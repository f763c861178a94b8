package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// LinkEventVersion is the version of LinkEvent records.
const LinkEventVersion = 1

// LinkEvent is the record of one link lifecycle change (link.created,
// link.updated, link.disabled, link.deleted) on the link events topic,
// keyed by link id. The link API's node writes it once the change is
// durable; the webhook stage delivers it to subscribed endpoints as
// Payload{Type, Timestamp, Data}, with ID as webhook-id.
type LinkEvent struct {
	V           int       `json:"v"`
	ID          string    `json:"id"` // UUIDv7, assigned once when the change is made
	Type        string    `json:"type"`
	Time        time.Time `json:"timestamp"`
	WorkspaceID string    `json:"workspace_id"`
	// Data is the link as stored after the change, as the link API
	// answers it (id, domain, path, destination_url, utm, tags,
	// metadata, state...). It holds nothing secret: it is the customer's
	// own link, sent to the customer's own endpoints.
	Data json.RawMessage `json:"data"`

	// link is Data's link fields, as DecodeLinkEvent read them, so that
	// matching does not parse Data again.
	link linkFields
}

// linkFields are the fields of LinkEvent.Data that endpoint filters read:
// the link itself (id) or the checker's event about it (link_id).
type linkFields struct {
	ID     string   `json:"id"`
	LinkID string   `json:"link_id"`
	Domain string   `json:"domain"`
	Tags   []string `json:"tags"`
}

// decodeLinkFields reads the link's id, domain and tags from data.
func decodeLinkFields(data []byte) (linkFields, error) {
	var l linkFields
	if err := json.Unmarshal(data, &l); err != nil {
		return l, err
	}
	if l.LinkID != "" {
		l.ID = l.LinkID
	}
	if l.ID == "" {
		return l, errors.New("no link id")
	}
	return l, nil
}

// DecodeLinkEvent decodes and validates a link event record; the error
// names the bad field.
func DecodeLinkEvent(b []byte) (*LinkEvent, error) {
	var e LinkEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("decode link event: %w", err)
	}
	if e.V != LinkEventVersion {
		return nil, fmt.Errorf("decode link event: field v: want %d, got %d", LinkEventVersion, e.V)
	}
	var errs []error
	if len(e.ID) != 36 {
		errs = append(errs, fmt.Errorf("field id: want a 36-character UUID, got %q", e.ID))
	}
	if !slices.Contains(linkEventTypes, e.Type) {
		errs = append(errs, fmt.Errorf("field type: want a link, job or conversion event type, got %q", e.Type))
	}
	if e.Time.IsZero() {
		errs = append(errs, errors.New("field timestamp: required"))
	}
	if e.WorkspaceID == "" {
		errs = append(errs, errors.New("field workspace_id: required"))
	}
	if l, err := decodeLinkFields(e.Data); err != nil {
		errs = append(errs, errors.New("field data: want the link object with its id, or a checker event with its link_id"))
	} else {
		e.link = l
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("decode link event %s: %w", e.ID, err)
	}
	return &e, nil
}

// Headers of link event records: the event's type and workspace, so that
// a consumer can pass over an event no endpoint subscribes to without
// decoding it.
const (
	HeaderEventType      = "type"
	HeaderEventWorkspace = "workspace"
)

// EncodeLinkEvent encodes e as a record of the link events topic, with
// its version set and its time in UTC.
func EncodeLinkEvent(e LinkEvent) []byte {
	e.V, e.Time = LinkEventVersion, e.Time.UTC()
	b, _ := json.Marshal(e) // fixed fields and already-encoded data: cannot fail
	return b
}

// isJobEvent says typ is about a bulk job, not one link: link filters do
// not apply to it.
func isJobEvent(typ string) bool { return typ == EventJobSucceeded || typ == EventJobFailed }

// Message returns the webhook message of e.
func (e *LinkEvent) Message() (Message, error) {
	return NewMessage(e.ID, Payload{Type: e.Type, Timestamp: e.Time.UTC(), Data: e.Data})
}

// MatchLink reports whether a link event passes the filters: link ids,
// domains, tags and excluded tags apply; the click-only exclusions (bots,
// internal traffic) do not.
func (f Filters) MatchLink(linkID, domain string, tags []string) bool {
	if len(f.ExcludeTags) > 0 && slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(f.ExcludeTags, t) }) {
		return false
	}
	if len(f.LinkIDs) > 0 && !slices.Contains(f.LinkIDs, linkID) {
		return false
	}
	if len(f.Domains) > 0 && !slices.Contains(f.Domains, strings.ToLower(domain)) {
		return false
	}
	if len(f.Tags) > 0 && !slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(f.Tags, t) }) {
		return false
	}
	return true
}

// MatchLinkEvent returns the enabled endpoints of e's workspace
// subscribed to its type whose filters pass its link, ready to deliver to
// at now. An e from DecodeLinkEvent brings its link's fields; one built
// otherwise has them read from Data here. It reads memory only.
func (r *Registry) MatchLinkEvent(e *LinkEvent, now time.Time) []Endpoint {
	l := e.link
	if l.ID == "" && !isJobEvent(e.Type) {
		l, _ = decodeLinkFields(e.Data) // unreadable: matches only endpoints without filters
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Endpoint
	for _, ep := range r.eps {
		if ep.WorkspaceID == e.WorkspaceID && ep.Subscribed(e.Type) && (isJobEvent(e.Type) || ep.Filters.MatchLink(l.ID, l.Domain, l.Tags)) {
			out = append(out, ep.Endpoint(now))
		}
	}
	return out
}
