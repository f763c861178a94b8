// Package testenv tells tests where the real Kafka broker and ClickHouse
// server started by deploy/local are, and keeps tests that need them
// recognisable.
//
// The test command (make test, which .ci/run calls) starts both servers and
// exports CLICKTRAIL_TEST_KAFKA and CLICKTRAIL_TEST_CLICKHOUSE together with
// CLICKTRAIL_TEST_REQUIRE_SERVICES=1. Under it a missing server fails the
// test; a plain `go test ./...` without the servers skips integration tests,
// and `go test -v` prints each skip with the variable to set.
//
// The convention (TESTING.md): a test that needs a real server lives in a
// file named *integration_test.go and asks for the server with Kafka or
// ClickHouse, directly or through a helper, before it does anything else.
// Kafka and ClickHouse fail a test that lives in any other file, so the
// convention cannot drift. Fake clocks and waiting live in internal/testutil.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
)

// Kafka returns the seed brokers of the test Kafka cluster.
func Kafka(t testing.TB) []string {
	t.Helper()
	return strings.Split(need(t, "CLICKTRAIL_TEST_KAFKA", "Kafka"), ",")
}

// ClickHouse returns the DSN of the test ClickHouse server, for example
// clickhouse://127.0.0.1:19000/default.
func ClickHouse(t testing.TB) string {
	t.Helper()
	return need(t, "CLICKTRAIL_TEST_CLICKHOUSE", "ClickHouse")
}

func need(t testing.TB, name, server string) string {
	t.Helper()
	if file, ok := testFile(); ok && !strings.HasSuffix(file, "integration_test.go") {
		t.Fatalf("%s needs the real %s but lives in %s: move it to a file named *integration_test.go (see TESTING.md)",
			t.Name(), server, filepath.Base(file))
	}
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CLICKTRAIL_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s is not set but CLICKTRAIL_TEST_REQUIRE_SERVICES=1: start the servers with deploy/local/services.sh start", name)
	}
	t.Skipf("integration test skipped: needs the real %s; set %s (deploy/local/services.sh start, then eval \"$(deploy/local/services.sh env)\"), or run make test", server, name)
	return ""
}

// testFile returns the file of the Test, Benchmark or Fuzz function (or
// one of its closures) on the calling goroutine's stack.
func testFile() (string, bool) {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		name := f.Function[strings.LastIndex(f.Function, "/")+1:] // pkg.TestX.func1
		if _, fn, ok := strings.Cut(name, "."); ok && isTestFunc(fn) {
			return f.File, true
		}
		if !more {
			return "", false
		}
	}
}

// isTestFunc reports whether fn (TestX, TestX.func1, BenchmarkY) names a
// function `go test` runs.
func isTestFunc(fn string) bool {
	fn, _, _ = strings.Cut(fn, ".")
	for _, prefix := range []string{"Test", "Benchmark", "Fuzz"} {
		if rest, ok := strings.CutPrefix(fn, prefix); ok && fn != "TestMain" {
			if rest == "" || !unicode.IsLower(rune(rest[0])) {
				return true
			}
		}
	}
	return false
}

var seq atomic.Int64

// Name returns a name unique to this test process, for topics, consumer
// groups and databases that tests must not share: prefix_<time>_<n>.
func Name(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1e10, seq.Add(1))
}
