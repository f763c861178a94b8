package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// TopicLinkEvents carries LinkEvent records: the events that are not
// clicks. The link API's lifecycle changes (link.created, link.updated,
// link.disabled, link.deleted; keyed by link id, written by the node that
// made the change), the destination checker's link.destination_*, bulk
// jobs' job.succeeded|failed (keyed by job id), and the attribution
// stage's conversion.attributed (keyed by link id). The webhook stage
// delivers them.
const TopicLinkEvents = "link.events.v1"

// LinkEventVersion is the version of LinkEvent records.
const LinkEventVersion = 1

// Headers of link event records: the event's type and workspace, so that
// a consumer can pass over an event no endpoint subscribes to without
// decoding it.
const (
	HeaderEventType      = "type"
	HeaderEventWorkspace = "workspace"
)

// linkEventTypes are the types a LinkEvent record may carry.
var linkEventTypes = []string{
	EventLinkCreated, EventLinkUpdated, EventLinkDisabled, EventLinkDeleted,
	EventLinkDestinationBroken, EventLinkDestinationRecovered,
	EventJobSucceeded, EventJobFailed, EventConversionAttributed,
}

// LinkEvent is the record of one event on TopicLinkEvents, for example a
// link lifecycle change (link.created, link.updated, link.disabled,
// link.deleted), keyed by link id. The link API's node writes it once the
// change is durable; the webhook stage delivers it to subscribed endpoints
// as WebhookPayload{Type, Timestamp, Data}, with ID as webhook-id.
type LinkEvent struct {
	V           int       `json:"v"`
	ID          string    `json:"id"` // UUIDv7, assigned once when the change is made
	Type        string    `json:"type"`
	Time        time.Time `json:"timestamp"`
	WorkspaceID string    `json:"workspace_id"`
	// Data is the link as stored after the change, as the link API
	// answers it (id, domain, path, destination_url, utm, tags,
	// metadata, state...), or the checker's, job's or attribution's data.
	// It holds nothing secret: it is the customer's own link, sent to the
	// customer's own endpoints.
	Data json.RawMessage `json:"data"`

	// Link is what DecodeLinkEvent read of Data's link, so that
	// endpoint filters do not parse Data again; it is not encoded. An
	// event built otherwise has it zero (see DecodeLinkRef).
	Link LinkRef `json:"-"`
}

// LinkRef is what endpoint filters read of a link event's Data: the link
// itself (its id) or the checker's event about it (its link_id).
type LinkRef struct {
	ID     string   `json:"id"`
	LinkID string   `json:"link_id"`
	Domain string   `json:"domain"`
	Tags   []string `json:"tags"`
}

// DecodeLinkRef reads the link's id, domain and tags from a link event's
// data; ID is the link_id of a checker event.
func DecodeLinkRef(data []byte) (LinkRef, error) {
	var l LinkRef
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
// names every bad field.
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
	if l, err := DecodeLinkRef(e.Data); err != nil {
		errs = append(errs, errors.New("field data: want the link object with its id, or a checker event with its link_id"))
	} else {
		e.Link = l
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("decode link event %s: %w", e.ID, err)
	}
	return &e, nil
}

// EncodeLinkEvent encodes e as a record of TopicLinkEvents, with its
// version set and its time in UTC.
func EncodeLinkEvent(e LinkEvent) []byte {
	e.V, e.Time = LinkEventVersion, e.Time.UTC()
	b, _ := json.Marshal(e) // fixed fields and already-encoded data: cannot fail
	return b
}
