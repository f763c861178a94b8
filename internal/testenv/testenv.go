// Package testenv tells tests where the real Kafka broker and ClickHouse
// server started by deploy/local are.
//
// The test command (make test, which .ci/run calls) starts both servers and
// exports CLICKTRAIL_TEST_KAFKA and CLICKTRAIL_TEST_CLICKHOUSE together with
// CLICKTRAIL_TEST_REQUIRE_SERVICES=1. Under it a missing server fails the
// test; a plain `go test ./...` without the servers skips integration tests.
package testenv

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Kafka returns the seed brokers of the test Kafka cluster.
func Kafka(t testing.TB) []string {
	t.Helper()
	return strings.Split(need(t, "CLICKTRAIL_TEST_KAFKA"), ",")
}

// ClickHouse returns the DSN of the test ClickHouse server, for example
// clickhouse://127.0.0.1:19000/default.
func ClickHouse(t testing.TB) string {
	t.Helper()
	return need(t, "CLICKTRAIL_TEST_CLICKHOUSE")
}

func need(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CLICKTRAIL_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s is not set but CLICKTRAIL_TEST_REQUIRE_SERVICES=1: start the servers with deploy/local/services.sh start", name)
	}
	t.Skipf("%s not set: integration test skipped (run make test)", name)
	return ""
}

var seq atomic.Int64

// Name returns a name unique to this test process, for topics, consumer
// groups and databases that tests must not share: prefix_<time>_<n>.
func Name(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1e10, seq.Add(1))
}
