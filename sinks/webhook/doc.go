// Package webhook is the webhook sink: it turns enriched clicks into signed
// Standard Webhooks messages (see package webhooks at the module root, which
// customers import to verify them) and delivers them to customer endpoints.
//
// What lives here:
//   - event.go: event types, the Payload envelope and the privacy-safe click
//     data (no IP address, not even its prefix; no link metadata);
//   - Deliverer: one HTTP attempt of one message to one endpoint, with an
//     SSRF guard, no redirects and a per-attempt timeout, classified into a
//     Result (delivered, retry, disable the endpoint);
//   - Schedule: when to try again after a failed attempt;
//   - Dispatcher: per-endpoint bounded queues and worker pools, so a slow
//     endpoint never delays another.
//
// What does not: the endpoint registry and its API (who subscribes to
// which event types with which secrets), the durable retry topics, the
// dead-letter topic and the delivery log. Like every sink this package does
// not import Kafka; its caller consumes clicks.enriched.v1, hands messages
// to a Dispatcher, and commits an offset only once every message of it has
// a final Result (delivered, or parked for retry or dead-lettered by the
// caller). The Dispatcher holds messages in memory only.
//
// # Delivery semantics
//
// At least once. webhook-id is the event id, assigned once at the source,
// so it is the same on every attempt, retry and replay; receivers
// deduplicate on it. webhook-timestamp is the time of the attempt, as the
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
