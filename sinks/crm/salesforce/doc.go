// Package salesforce is the CRM sink's Salesforce adapter: a small client
// of the Salesforce REST API (settings.instance_url, settings.api_version,
// default v60.0), authenticated with an OAuth 2.0 access token that it
// renews with the refresh token flow (POST <login_url>/services/oauth2/token,
// grant_type=refresh_token) when a call answers 401 INVALID_SESSION_ID,
// then makes the call again, once.
//
// Per batch of events of one integration, two sObject Collections upserts
// (PATCH /services/data/vXX.X/composite/sobjects/<object>/<external id
// field>, up to 200 records, allOrNone false so each record succeeds or
// fails alone):
//
//   - the contacts, as settings.object records (Contact, default, or Lead)
//     keyed by settings.contact_external_id_field (an External ID field
//     holding the link metadata's contact_id), with the mapped
//     "contact.<Field>" values; the answers give their record ids;
//   - one Task per click or conversion, keyed by
//     settings.task_external_id_field (an External ID field on Task) set to
//     the event id, WhoId the contact, Subject the event's summary,
//     Status Completed, ActivityDate its day, and the other mapped fields.
//
// The Task upsert by the event id makes the adapter Idempotent: a
// redelivered event updates its Task instead of adding one. Limits: 403
// REQUEST_LIMIT_EXCEEDED (the org's API requests of the last 24 h are
// spent) pauses the integration for an hour; a 429 or 503 with Retry-After
// for as long as asked.
//
// salesforcefake is a local test server of these calls.
package salesforce
