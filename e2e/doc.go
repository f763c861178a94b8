// Package e2e holds the end-to-end tests: a click travels from the
// redirector through the spool, real Kafka, enrich and the ClickHouse sink
// into a real ClickHouse server (and the same through the embedded `dev`
// path). They run under deploy/local/test.sh, which starts the servers.
//
// Files named *integration_test.go need the real Kafka or ClickHouse and
// skip without them (TESTING.md). The others run anywhere: crash_test.go
// kill -9s a `clicktrail dev` process and counts the clicks that survive;
// webhook_test.go sends a verified webhook through the embedded path.
//
// outage_integration_test.go (build tag outage) stops and restarts the Kafka
// broker; the test script runs it on its own so it cannot disturb other
// packages' tests.
package e2e
