package linkcheck

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Event types, in the webhook event catalogue's naming.
const (
	EventDestinationBroken    = "link.destination_broken"
	EventDestinationRecovered = "link.destination_recovered"
)

// Event reports that a destination of a link broke or works again.
type Event struct {
	// ID is the same for every emission of one transition (a retried Emit
	// repeats it), so receivers can deduplicate on it.
	ID        string    `json:"id"`
	Type      string    `json:"type"`      // EventDestinationBroken or EventDestinationRecovered
	Timestamp time.Time `json:"timestamp"` // the check that decided it
	// The link.
	WorkspaceID string `json:"workspace_id"`
	LinkID      string `json:"link_id"`
	Domain      string `json:"domain"`
	Path        string `json:"path"`
	// Tags are the link's tags, for endpoint filters.
	Tags []string `json:"tags,omitempty"`
	// Field names the destination within the link: "destination_url",
	// "rules[2].destination_url", "variants[0].destination_url".
	Field       string `json:"field"`
	Destination string `json:"destination"`
	// Status is the last HTTP status answered (0 when there was none).
	Status int `json:"status,omitempty"`
	// Error says how the last check failed ("" in recovered events), e.g.
	// "status 500", "dns: no such host", "timeout".
	Error string `json:"error,omitempty"`
	// ConsecutiveFailures counts the failed checks in a row (0 when
	// recovered).
	ConsecutiveFailures int `json:"consecutive_failures"`
}

// eventNamespace seeds the name-based (SHA-1, version 5) event ids.
var eventNamespace = uuid.MustParse("6f0b6c64-5c0e-4a8e-9d55-2a8f1f4c7e21")

// eventID derives the id of a transition from what identifies it: the
// link, the destination, the type and when the transition was observed.
func eventID(linkID, destination, typ string, at time.Time) string {
	name := linkID + "\x00" + destination + "\x00" + typ + "\x00" + strconv.FormatInt(at.UnixNano(), 10)
	return uuid.NewSHA1(eventNamespace, []byte(name)).String()
}
