// Package app assembles clicktrail's parts into the processes the CLI runs:
// a redirect node (redirector, link API, spool, forwarder to Kafka), an enrich
// worker, a ClickHouse sink worker, and the embedded `dev` process that runs
// all of them over the spool. cmd/clicktrail only parses flags into the
// configs here; tests run the same functions in-process.
//
// Every Run function blocks until its context is cancelled or a part fails,
// then shuts down in dependency order: HTTP servers drain in-flight requests,
// consumers finish their batch, the spool syncs, stores close.
package app
