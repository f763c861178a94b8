// Package stage is the webhook sink's stage: the record handlers that
// deliver enriched clicks (Clicks), link events (LinkEvents) and parked
// retries (Retries) to the endpoints of a sinks/webhook Registry, park
// failed attempts on the per-step retry topics (RetryTopics), dead-letter
// the last ones, keep threshold alerts and digests (RunAlertClock), and
// bound what a hanging endpoint costs the others (budget.go, ADR 005).
//
// Its handlers are record.Handlers, so `clicktrail dev` runs them over the
// local spool and `clicktrail sink webhook` over Kafka; which topics and
// consumer groups feed them is listed once, in internal/app/stages.go. It
// imports no Kafka client. The endpoint registry, signing and the HTTP
// delivery itself are package webhook's.
package stage
