#!/usr/bin/env bash
# Stats API over the ClickHouse rollups with many clicks loaded (issue 13:
# "quote p50/p99 for a 90-day daily series and a 30-day top-10 with 10
# million clicks loaded").
#
#   bench/stats-load.sh                         # 10,000,000 clicks
#   STATS_CLICKS=1000000 bench/stats-load.sh    # a quicker run
#   STATS_SKIP_LOAD=1 bench/stats-load.sh       # measure again without reloading
#
# What runs: bench/cmd/statsload is built; it drops and re-creates the
# database of STATS_DSN, migrates it (raw tables, rollups, views), generates
# clicks over the 90 days before 2026-06-01 across STATS_WORKSPACES
# workspaces of STATS_LINKS links each (link popularity falls off
# exponentially) and inserts them in batches with the ClickHouse sink's
# Writer, so the rollups' materialized views do their production work. It
# then serves the stats API (analytics handlers over analytics/clickhouse,
# on loopback, without the link API's key check in front) and times
# STATS_REQUESTS sequential requests of each: a random link's 90-day daily
# series, and a random workspace's 30-day top-10 (totals, daily series, top
# links, campaigns, countries, devices, referrers, with conversions). Needs
# the ClickHouse of deploy/local (or any reachable at STATS_DSN). On a shared
# machine the figures include the neighbours' load: the load average is
# printed before and after.
set -euo pipefail

bench_name=stats-load work_prefix=clicktrail-stats
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DSN=${STATS_DSN:-clickhouse://127.0.0.1:19000/ct_statsload}
args=(-dsn "$DSN" -clicks "${STATS_CLICKS:-10000000}" -workspaces "${STATS_WORKSPACES:-10}"
  -links "${STATS_LINKS:-1000}" -requests "${STATS_REQUESTS:-200}")
if [[ -n ${STATS_SKIP_LOAD:-} ]]; then
  args+=(-skip-load)
fi

log "build bench/cmd/statsload"
(cd "$root" && go build -o "$work/statsload" ./bench/cmd/statsload)
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/statsload" "${args[@]}"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
