package webhook

import (
	"slices"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/schemas"
)

// The link event record (schemas.LinkEvent, on schemas.TopicLinkEvents)
// is declared in package schemas; this file matches and sends it.

// isJobEvent says typ is about a bulk job, not one link: link filters do
// not apply to it.
func isJobEvent(typ string) bool {
	return typ == schemas.EventJobSucceeded || typ == schemas.EventJobFailed
}

// LinkEventMessage returns the webhook message of e.
func LinkEventMessage(e *schemas.LinkEvent) (Message, error) {
	return NewMessage(e.ID, schemas.WebhookPayload{Type: e.Type, Timestamp: e.Time.UTC(), Data: e.Data})
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
func (r *Registry) MatchLinkEvent(e *schemas.LinkEvent, now time.Time) []Endpoint {
	l := e.Link
	if l.ID == "" && !isJobEvent(e.Type) {
		l, _ = schemas.DecodeLinkRef(e.Data) // unreadable: matches only endpoints without filters
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
