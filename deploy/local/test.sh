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

# Chromium, for the dashboard's browser test (analytics/dashboard): Debian's
# package, installed when missing (CI runs as root).
if ! command -v chromium >/dev/null; then
	echo "== installing chromium (the dashboard's browser test)"
	apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "== go vet"
go vet ./...

# staticcheck, pinned, installed into .local/bin on first use (the Go module
# proxy serves exact versions; a clean machine has no staticcheck).
staticcheck_version=v0.8.2
staticcheck=.local/bin/staticcheck-$staticcheck_version
if [ ! -x "$staticcheck" ]; then
	echo "== installing staticcheck $staticcheck_version"
	GOBIN="$PWD/.local/bin/sc.$$" go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
	mv ".local/bin/sc.$$/staticcheck" "$staticcheck" && rmdir ".local/bin/sc.$$"
fi
echo "== staticcheck"
"$staticcheck" ./...

echo "== go test (unit, fuzz seed corpora, integration against Kafka and ClickHouse)"
go test -count=1 -p 2 -timeout 15m ./...

echo "== go test -race (the same tests, integration included, under the race detector)"
go test -race -count=1 -p 2 -timeout 20m ./...

echo "== make deploy-check (manifests, and the stacks rehearsed against these servers)"
make deploy-check

echo "== go test -tags outage (stops and restarts the Kafka broker)"
go test -count=1 -tags outage -run 'Outage' -timeout 10m ./e2e/...
