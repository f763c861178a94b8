// Package retry is the retry mechanism the delivering sinks share (the
// webhook sink, sinks/webhook/stage, and the CRM sink, sinks/crm/stage):
// the jittered retry Schedule, Retry-After parsing, and the parked
// attempt records of the per-step Kafka retry topics (<base>.<step>, one
// topic per schedule delay, so a topic's order is its due order) with the
// headers that say whose attempt it is, which one, and when it is due.
//
// Each sink names its own headers and topics (Codec, the base topic); what
// it does with an attempt's result (the delivery log, disabling an
// endpoint, pausing an integration) is its own.
package retry
