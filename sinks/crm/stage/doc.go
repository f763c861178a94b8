// Package stage is the CRM sink's stage: it reads enriched clicks
// (clicks.enriched.v1; those with a contact id from the link's metadata)
// and conversion.attributed link events (link.events.v1), turns them into
// crm.Events for every enabled integration of the workspace subscribed to
// them, and writes them through the integration's adapter
// (sinks/crm/hubspot, salesforce, pipedrive).
//
// Delivery: at least once, without duplicates in the CRM. A handler
// returns nil only once each event of its batch is written, or durably
// parked on a retry topic, or dead-lettered. Adapters whose CRM upserts
// by an external id (Salesforce) are idempotent; for the others the
// registry's ledger remembers each event written, and a redelivered event
// is skipped (a crash between the CRM's answer and the ledger's fsync can
// still write it twice: the window is one call).
//
// Isolation (like the webhook sink, ADR 005): each integration has its
// own lane (internal/lanes: bounded concurrency and queue); a handler
// waits for its batch at most AttemptBudget and parks what is unfinished,
// so a hanging CRM delays other workspaces' integrations by one budget at
// most. A 429 or a spent quota pauses that integration alone for the time
// the CRM asks: while paused its events are parked without a call. 5xx
// and timeouts walk the retry schedule (package retry, per-step topics
// crm.retry.v1.<step>); a permanent 4xx goes to crm.dlq.v1 with the CRM's
// error in the dead letter's headers.
package stage
