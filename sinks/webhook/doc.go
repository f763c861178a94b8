// Package webhook is the webhook sink: it turns enriched clicks into signed
// Standard Webhooks messages (see package webhooksig at the module root, which
// customers import to verify them) and delivers them to customer endpoints.
//
// What lives here:
//
//   - event.go: Message, a webhook ready to send, made from the
//     schemas.WebhookPayload envelope and its data (the event types, the
//     privacy-safe click data and the other payloads are the contract with
//     receivers, declared in package schemas);
//
//   - Deliverer: one HTTP attempt of one message to one endpoint, with an
//     SSRF guard, no redirects and a per-attempt timeout, classified into a
//     Result (delivered, retry, disable the endpoint);
//
//   - Schedule: when to try again after a failed attempt;
//
//   - Dispatcher: per-endpoint bounded queues and worker pools, so a slow
//     endpoint never delays another; Withdraw takes back a queued attempt
//     and SubmitIdle starts one only on an idle worker, for a caller that
//     stops waiting for an endpoint (ADR 005).
//
//   - Registry: the endpoints (workspace, URL, subscribed event types,
//     Filters, alert rules, secrets with rotation, enabled state and
//     failure counters), the delivery log with the message bodies replay
//     needs, swept after RegistryConfig.Retention (Sweep, RunSweeper), and
//     the alert rules' states (registry_alert.go), in pebble;
//
//   - linkevent.go: which endpoints a schemas.LinkEvent (a link lifecycle
//     change, a checker, job or conversion event on link.events.v1) goes
//     to, and its message;
//
//   - NewAPI: the endpoint API (/v1/webhooks/endpoints, /v1/webhooks/deliveries),
//     mounted behind the link API's authentication; APIConfig.Workspace
//     scopes every request to its workspace.
//
// The alert rules themselves (threshold, spike, digest) are the pure
// package alert below this one; which clicks feed them is decided here, by
// the endpoint's Filters (including the exclusion of bots, internal
// traffic and tagged links).
//
// What does not: the Kafka side. Like every sink this package does not
// import Kafka; its stage (sinks/webhook/stage) consumes
// clicks.enriched.v1, hands messages to a Dispatcher, parks failed attempts
// (and those unfinished within its attempt budget) on the retry topic and
// dead-letters the last ones, and commits an offset only once every message
// of it is delivered, or parked or dead-lettered durably. The Dispatcher
// holds messages in memory only.
//
// # Delivery semantics
//
// At least once. webhook-id is the event id, assigned once at the source,
// so it is the same on every attempt, retry and replay; receivers
// deduplicate on it. Alert events have no source event: their id is
// derived from the endpoint, the link and the window (see
// pipeline.AlertMessageID), so recomputing them gives the same id. webhook-timestamp is the time of the attempt, as the
// spec requires, so the signature changes between attempts.
//
// # SSRF
//
// Endpoint URLs come from customers. The Deliverer resolves the host once
// per attempt, refuses the attempt if any resolved address is private,
// loopback, link-local, CGNAT, multicast, unspecified or otherwise
// reserved (IPv4 and IPv6, including IPv4-mapped, NAT64 and 6to4 forms),
// and dials exactly the addresses it checked: its transport has no resolver
// of its own, so a DNS answer that changes between check and connect (DNS
// rebinding) cannot reach an internal address. TLS still verifies the host
// name. Config.AllowPrivate turns the guard off, for tests and local
// development only.
package webhook
