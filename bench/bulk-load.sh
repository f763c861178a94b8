#!/usr/bin/env bash
# Bulk link creation at scale (issue 5: "Creating 1,000,000 links through
# bulk jobs must take under 60 s here: write a load script and quote the
# figure").
#
#   bench/bulk-load.sh                          # 1,000,000 links as 10 jobs of 100,000
#   BULK_LINKS=200000 bench/bulk-load.sh        # a quicker run
#
# What runs: clicktrail and bench/cmd/bulkload are built; `clicktrail dev`
# starts on loopback on a temporary data directory (removed at the end);
# bulkload encodes the job bodies, then starts the clock, posts every job
# to POST /v1/links/bulk, polls GET /v1/jobs/{id} until all are done, and
# prints the elapsed seconds and links/s. It then checks the job summaries
# (every item created, none failed), a sample of the links through
# GET /v1/links/{id} and the redirector, and that reposting the first job
# creates nothing (its items carry idempotency keys). Exits non-zero on any
# mismatch.
#
# Knobs (environment): BULK_LINKS (1000000), BULK_PER_JOB (100000),
# BULK_SAMPLE (200), BULK_DEV_FLAGS (extra flags for clicktrail dev),
# BULK_PORT_BASE (18380: this port and the next). Nothing is pinned to a
# CPU: on a shared machine the figure includes the neighbours' load, which
# is why the CPU the clicktrail process used, per link, is printed too (the
# figure to compare changes by) with the load average before and after.
# For a CPU profile: BULK_DEV_FLAGS="--debug-addr 127.0.0.1:6060" and
# curl -o cpu.pprof 'http://127.0.0.1:6060/debug/pprof/profile?seconds=30'
# while the jobs run.
set -euo pipefail

LINKS=${BULK_LINKS:-1000000}
PER_JOB=${BULK_PER_JOB:-100000}
SAMPLE=${BULK_SAMPLE:-200}
DEV_FLAGS=${BULK_DEV_FLAGS:-}
PORT_BASE=${BULK_PORT_BASE:-18380}
KEY=ct_bulk_0123456789abcdef
REDIRECT_PORT=$PORT_BASE
API_PORT=$((PORT_BASE + 1))

bench_name=bulk-load work_prefix=clicktrail-bulk
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

check_ports BULK_PORT_BASE "$REDIRECT_PORT" "$API_PORT"

log "building clicktrail and bulkload"
(cd "$root" && GOFLAGS=-mod=mod go build -o "$work/clicktrail" ./cmd/clicktrail)
(cd "$root" && GOFLAGS=-mod=mod go build -o "$work/bulkload" ./bench/cmd/bulkload)

mkdir -p "$work/dev"
# shellcheck disable=SC2086 # DEV_FLAGS is a list of flags
"$work/clicktrail" dev --data-dir "$work/dev" \
  --redirect-addr "127.0.0.1:$REDIRECT_PORT" --api-addr "127.0.0.1:$API_PORT" \
  --api-key "$KEY" --api-rate-per-second -1 $DEV_FLAGS >"$work/dev/clicktrail.log" 2>&1 &
ct_pid=$!
track "$ct_pid"

for _ in $(seq 300); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$API_PORT/v1/openapi.json" && break
  kill -0 "$ct_pid" 2>/dev/null || { cat "$work/dev/clicktrail.log" >&2; die "clicktrail dev exited"; }
  sleep 0.1
done
curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$API_PORT/v1/openapi.json" || die "the link API did not answer within 30s"
log "clicktrail dev is up; creating $LINKS links in jobs of $PER_JOB"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

status=0
"$work/bulkload" -api "http://127.0.0.1:$API_PORT" -redirect "http://127.0.0.1:$REDIRECT_PORT" -key "$KEY" \
  -links "$LINKS" -per-job "$PER_JOB" -sample "$SAMPLE" || status=$?
# CPU the clicktrail process used (user + system), from /proc: on a busy
# shared machine the elapsed time says more about the neighbours than this.
if [ -r "/proc/$ct_pid/stat" ]; then
  ticks=$(awk '{print $14 + $15}' "/proc/$ct_pid/stat")
  hz=$(getconf CLK_TCK)
  awk -v t="$ticks" -v hz="$hz" -v n="$LINKS" \
    'BEGIN { printf "bulk-load: clicktrail used %.1f CPU seconds in all (%.0f us per link, incl. the sample checks and the rerun)\n", t / hz, t / hz / n * 1e6 }'
fi
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
if [ "$status" -ne 0 ]; then
  log "clicktrail dev log (last 20 lines):"
  tail -n 20 "$work/dev/clicktrail.log" >&2
fi
exit "$status"
