// Package crm is the core of clicktrail's CRM sink: what every CRM adapter
// shares and what the CRM stage and the integrations API are built on.
//
//   - Event: a click of a known contact (click.created with a contact id
//     from the link's metadata) or an attributed conversion
//     (conversion.attributed), flattened into named source fields
//     (Fields) that an integration's field mapping picks from.
//   - Kind and Adapter: a CRM (sinks/crm/hubspot, sinks/crm/salesforce,
//     sinks/crm/pipedrive) validates an integration's settings,
//     credentials and mapping (errors name the key) and opens an Adapter
//     that writes batches of events and answers one error per event.
//   - Error: how a CRM's answer is classified: delivered, retry (5xx,
//     timeouts), pause (429 and documented quota headers: the
//     integration waits as long as the CRM asks) or permanent (a 4xx the
//     same request will always get: dead-lettered with the CRM's error).
//   - Registry: the integrations of every workspace (pebble, in
//     <data-dir>/crm), their credentials sealed at rest with
//     internal/seal (ADR 007), and the ledger of events already written
//     to CRMs that have no idempotency key of their own.
//   - API: /v1/integrations, mounted on the link API like the webhook
//     endpoint API (scopes integrations:read and integrations:write).
//
// What lives elsewhere: the stage that consumes clicks.enriched.v1 and
// link.events.v1, with per-integration lanes, retry topics and the
// dead-letter topic, is sinks/crm/stage; the attribution of conversions to
// clicks is package attribution. Inbound CRM webhooks, attribution models,
// intent signals and erasure (issue 12) are not built yet.
package crm
