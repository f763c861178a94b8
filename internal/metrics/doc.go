// Package metrics is how every clicktrail process exposes Prometheus
// metrics: one Registry per process (served at /metrics on the debug
// listener, --debug-addr), and wrappers that instrument a part from the
// outside, by the interface the part already has (a record.Handler, a
// record.Producer, a sink's writer, a webhook or CRM sender, an HTTP
// handler), never from inside business logic.
//
// # Naming convention
//
// Every metric is snake_case, starts with clicktrail_, then the component
// (redirect, api, webhook_api, spool, consumer, stage, sink, webhook, crm,
// kafka, ...), then what it counts, and ends with its unit: _total for
// counters, _seconds, _bytes, _records or _rows otherwise. Labels have
// bounded values (a route template, a status code, a stage, a topic, a
// partition), never an id, a URL or an address. Every name is listed in
// docs/metrics.md, and a test (internal/app) scrapes each process and
// fails on a documented name that is missing or an undocumented one that
// appears.
//
// A sink that delivers to receivers outside (webhooks, CRMs) reports each
// attempt through a Deliveries of its component: Registry.Deliveries("crm")
// gives clicktrail_crm_deliveries_total{receiver,outcome,status} and
// clicktrail_crm_delivery_duration_seconds{receiver,outcome}; its receiver
// label names the CRM adapter (hubspot, salesforce), never an account.
//
// A nil *Registry is valid and records nothing, so parts can be built
// without metrics (tests, tools). internal/app makes one registry per
// process, serves it, and wraps the parts; a stage that has its own
// outcomes to count (the CRM sink) gets the registry as StageEnv.Metrics.
// ingest and the sinks' packages do not import this one: ingest takes
// franz-go hooks (KafkaConfig.Hooks) and offers its lag (KafkaConsumer.Lag).
package metrics
