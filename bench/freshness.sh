#!/usr/bin/env bash
# Freshness at steady load (issue 4: "p99 from click to delivery under 1 s at
# steady load, measured by a script"; design.md: "click to row visible in
# ClickHouse"): time from sending a redirect request to receiving its signed
# webhook, and to its row being visible in ClickHouse.
#
#   bench/freshness.sh                                         # webhooks only
#   FRESH_CLICKHOUSE=clickhouse://127.0.0.1:19000 bench/freshness.sh   # and ClickHouse
#   FRESH_DEV_FLAGS="--batch-max-wait 100ms" bench/freshness.sh        # tune the node
#
# What runs: clicktrail and bench/cmd/freshness are built; `clicktrail dev`
# starts on loopback with --webhook-allow-private (the receiver is local)
# and, with FRESH_CLICKHOUSE, --clickhouse-dsn on a database made for this
# run (dropped at the end; start the server first with
# `deploy/local/services.sh start clickhouse`). The freshness program
# starts a receiver that verifies every signature with the webhooks
# package, registers it for click.created through /v1/webhooks/endpoints,
# creates links with track_conversions (the redirect's Location names the
# click's event id, which is also the webhook-id and the ClickHouse
# event_id), sends FRESH_RATE clicks/s for FRESH_DURATION, and prints
# p50/p90/p99/max and the counts. The script exits non-zero when a click is
# missing, a signature is bad or a redirect fails.
#
# Knobs (environment): FRESH_RATE (200), FRESH_DURATION (30s), FRESH_LINKS
# (20), FRESH_WAIT (30s: grace for the last clicks), FRESH_CLICKHOUSE
# (clickhouse://host:port of a running server; empty: no ClickHouse),
# FRESH_DEV_FLAGS (extra flags for clicktrail dev), FRESH_PORT_BASE (18280:
# this port and the next), CLICKTRAIL_SRC (the tree clicktrail is built
# from; default this checkout). Nothing is pinned to a CPU: on a shared
# machine the figures include the neighbours' load.
set -euo pipefail

RATE=${FRESH_RATE:-200}
DURATION=${FRESH_DURATION:-30s}
LINKS=${FRESH_LINKS:-20}
WAIT=${FRESH_WAIT:-30s}
CLICKHOUSE=${FRESH_CLICKHOUSE:-}
DEV_FLAGS=${FRESH_DEV_FLAGS:-}
PORT_BASE=${FRESH_PORT_BASE:-18280}
KEY=ct_fresh_0123456789abcdef
REDIRECT_PORT=$PORT_BASE
API_PORT=$((PORT_BASE + 1))

bench_name=freshness work_prefix=clicktrail-fresh
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
src=${CLICKTRAIL_SRC:-$root}

check_ports FRESH_PORT_BASE "$REDIRECT_PORT" "$API_PORT"

log "building clicktrail and freshness"
(cd "$src" && GOFLAGS=-mod=mod go build -o "$work/clicktrail" ./cmd/clicktrail)
(cd "$root" && GOFLAGS=-mod=mod go build -o "$work/freshness" ./bench/cmd/freshness)

dsn=
ch_args=()
if [ -n "$CLICKHOUSE" ]; then
  dsn="${CLICKHOUSE%/}/freshness_$$_$(date +%s)"
  ch_args=(--clickhouse-dsn "$dsn")
fi

mkdir -p "$work/dev"
# shellcheck disable=SC2086 # DEV_FLAGS is a list of flags
"$work/clicktrail" dev --data-dir "$work/dev" \
  --redirect-addr "127.0.0.1:$REDIRECT_PORT" --api-addr "127.0.0.1:$API_PORT" \
  --api-key "$KEY" --api-rate-per-second -1 --webhook-allow-private \
  "${ch_args[@]}" $DEV_FLAGS >"$work/dev/clicktrail.log" 2>&1 &
ct_pid=$!
track "$ct_pid"

for i in $(seq 300); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$API_PORT/v1/links" && break
  kill -0 "$ct_pid" 2>/dev/null || { cat "$work/dev/clicktrail.log" >&2; die "clicktrail dev exited"; }
  sleep 0.1
done
curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$API_PORT/v1/links" || die "the link API did not answer within 30s"
log "clicktrail dev is up (flags: --webhook-allow-private ${ch_args[*]} $DEV_FLAGS)"

fresh_args=(-api "http://127.0.0.1:$API_PORT" -redirect "http://127.0.0.1:$REDIRECT_PORT" -key "$KEY"
  -rate "$RATE" -duration "$DURATION" -links "$LINKS" -wait "$WAIT")
if [ -n "$dsn" ]; then
  fresh_args+=(-clickhouse-dsn "$dsn" -clickhouse-drop-database)
fi
status=0
"$work/freshness" "${fresh_args[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  log "clicktrail dev log (last 20 lines):"
  tail -n 20 "$work/dev/clicktrail.log" >&2
fi
exit "$status"
