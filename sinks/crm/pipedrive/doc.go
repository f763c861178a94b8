// Package pipedrive is the CRM sink's Pipedrive adapter: a small client of
// Pipedrive's public REST API (settings.base_url, default
// https://api.pipedrive.com, or the company domain), authenticated with
// the company API token (credentials.api_token) sent in the x-api-token
// header, never in the URL, so it stays out of access logs.
//
// Per event:
//
//   - the person: with settings.person_field (the key of a person custom
//     field holding the link metadata's contact_id) it is found with
//     GET /v1/persons/search?term=<contact id>&fields=custom_fields&exact_match=true,
//     or created with POST /v1/persons; without it the contact_id is the
//     Pipedrive person id. Person ids are remembered for the adapter's life;
//   - one activity, POST /v1/activities, done, of settings.activity_type
//     (default "task"), subject the event's summary, due at its time, on
//     the person, with the mapped fields (subject, note,
//     public_description, location; "contact.<key>" targets update the
//     person with PUT /v1/persons/<id>).
//
// Pipedrive has no upsert nor idempotency key for activities, so the
// adapter is not Idempotent: the CRM stage's ledger remembers each event
// written. Rate limits: a 429 pauses the integration for Retry-After, or
// x-ratelimit-reset seconds; x-daily-requests-left 0 pauses until the next
// UTC midnight (token-based daily budget).
//
// pipedrivefake is a local test server of these calls.
package pipedrive
