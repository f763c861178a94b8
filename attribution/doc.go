// Package attribution is the attribution index: it stitches conversions
// to the clicks that led to them, between the conversions API and the
// systems that act on attributed conversions (webhook endpoints today,
// which is how CRMs and automation tools receive them; the CRM sinks under
// sinks/crm would read the same Attributed values). It is not a sink: it
// writes nothing outside its own store, and returns what it decided.
//
// Where it is used: the attribution stage (attribution/stage) feeds it
// enriched clicks and conversions.v1 records and turns each Attributed
// into a conversion.attributed event (schemas.AttributedConversion on
// schemas.TopicLinkEvents). The wire types (schemas.Conversion,
// schemas.Attribution and the MatchedBy values) live in package schemas.
//
// An Attributor keeps, in its own pebble store:
//
//   - an index of recent clicks by event id (the click id the redirector
//     hands the destination as ct_click), each with its workspace, link,
//     campaign and the privacy-safe facts webhooks carry;
//   - each contact's latest clicks, for conversions reported with a
//     contact id only (last-click attribution: the contact's last click
//     before the conversion, within a few minutes of clock skew);
//   - conversions whose click has not arrived yet: clicks and conversions
//     travel on different topics, so a conversion can overtake its click.
//     It waits (Config.PendingFor) and is attributed when the click is
//     indexed, or dropped as unattributed with a log line.
//
// Clicks are credited only within their workspace and within
// Config.Window of the conversion. Nothing here holds an IP address.
//
// Delivery contract: IndexClicks and Attribute write synchronously, so a
// caller that commits its input offsets after they return never loses a
// click or a parked conversion. Attributions are returned, not sent: the
// caller produces them durably and then calls Resolved, so a crash in
// between repeats an attribution (with the conversion's event id, which
// receivers deduplicate on) instead of losing it.
package attribution
