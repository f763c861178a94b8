#!/usr/bin/env bash
# Runs every test of the project against real servers: starts (installing when
# missing) a local Kafka broker and ClickHouse server, runs vet and all Go tests
# with CLICKTRAIL_TEST_REQUIRE_SERVICES=1 (a missing server fails, never skips),
# then the Kafka-outage test, which stops and restarts the broker and so runs
# alone. `make test` and .ci/run call this script.
#
# KEEP_SERVICES=1 leaves the servers running afterwards (faster reruns).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

services=deploy/local/services.sh
export GOFLAGS=${GOFLAGS:--mod=readonly}

cleanup() {
	if [ "${KEEP_SERVICES:-0}" != 1 ]; then
		$services stop all --wipe || true
	fi
}
trap cleanup EXIT

$services start all
eval "$($services env)"
export CLICKTRAIL_TEST_REQUIRE_SERVICES=1

echo "== go vet"
go vet ./...

echo "== go test (unit, fuzz seed corpora, integration against Kafka and ClickHouse)"
go test -count=1 -p 2 -timeout 15m ./...

echo "== make deploy-check (manifests, and the stacks rehearsed against these servers)"
make deploy-check

echo "== go test -tags outage (stops and restarts the Kafka broker)"
go test -count=1 -tags outage -run 'Outage' -timeout 10m ./e2e/...
