// Package hubspot is the CRM sink's HubSpot adapter: a small client of
// HubSpot's public CRM v3 and custom events APIs, authenticated with a
// private app's bearer token (credentials.token).
//
// What it writes, per batch of events of one integration:
//
//   - Contacts: with settings.id_property (a unique contact property that
//     holds the link metadata's contact_id) the contacts are upserted in
//     one call, POST /crm/v3/objects/contacts/batch/upsert, which answers
//     their record ids; without it the contact_id is the HubSpot record id,
//     and mapped contact properties ("contact.<property>" targets) are set
//     with POST /crm/v3/objects/contacts/batch/update.
//   - The click or conversion on the contact's timeline, as an occurrence
//     of a custom event (settings.click_event, settings.conversion_event:
//     the events' fully qualified names, pe<HubID>_<name>), in one call,
//     POST /events/v3/send/batch; the other mapped targets are the
//     occurrence's event properties.
//
// Why custom events and not engagements (notes, tasks): a click is a
// behavioural event, not a sales activity. Custom events are HubSpot's
// model for exactly that: typed properties that lists, reports and
// workflows can filter on, shown on the contact's timeline, sent in
// batches of up to 500, and they do not fill the sales team's activity
// feed with one note per click or count against the engagement object
// limits. The cost: custom events need an Enterprise hub, and the event
// must be defined first (in HubSpot or through the event definitions API).
//
// Idempotency: custom event occurrences have no upsert key we can rely
// on, so the adapter is not Idempotent and the CRM stage's ledger skips
// events already written (the occurrence's uuid is still the event id).
// Rate limits: a 429 pauses the integration for Retry-After, or for
// X-HubSpot-RateLimit-Interval-Milliseconds when the rolling window is
// spent, or until the next UTC midnight when
// X-HubSpot-RateLimit-Daily-Remaining is 0.
//
// hubspotfake is a local test server of these calls.
package hubspot
