#!/usr/bin/env bash
# Redirect throughput and p99 latency of clicktrail against nginx serving the
# same slugs from a static `map` with `return 302`, side by side on this
# machine (design.md, "Performance targets").
#
#   bench/redirect-vs-nginx.sh                         # clicktrail redirect (Kafka at 127.0.0.1:19092) vs nginx
#   BENCH_MODE=dev bench/redirect-vs-nginx.sh          # clicktrail dev (no Kafka) vs nginx
#   BENCH_ROUNDS=5 BENCH_DURATION=10s bench/redirect-vs-nginx.sh
#
# What runs: nginx and wrk are installed from Debian when missing (apt-get,
# as root). clicktrail is built, started, and given BENCH_LINKS links through
# its API (bench/cmd/mklinks, parallel requests); nginx gets the same slugs
# and destinations as a map, and so does bench/cmd/bare302, a Go server that
# answers from a map with nothing else (no capture), on fasthttp, on net/http
# and on gnet's event loops: the ceiling of a Go redirector on this machine. Every
# server is pinned to BENCH_SERVER_CPU (one core; GOMAXPROCS follows the
# affinity; nginx has one worker), wrk to BENCH_CLIENT_CPU, requesting random
# slugs (bench/slugs.lua). All servers stay up, but only the one measured
# runs: the others are stopped with SIGSTOP, so none takes CPU from another
# (a clicktrail node compacting its link store in the background would
# otherwise slow nginx down). The servers take turns for BENCH_ROUNDS rounds
# (each run preceded by a warm-up that requests the slugs in order, then the
# measured run with random slugs), and the medians are reported, so that a
# burst of noise from other work on the machine hits one run, not one server.
#
# Click capture stays on for clicktrail. The default is the production
# shape, `clicktrail redirect` on its default fasthttp front-end: every
# redirect appends its click to the durable spool (interval sync, 5ms), and
# the spool-to-Kafka forwarder runs in the same process, on the same pinned
# core, producing to CLICKTRAIL_BENCH_KAFKA (topics under a fresh prefix,
# left on the broker). That charges all of click capture to clicktrail,
# the forwarder included, which is the conservative choice: a deployment
# could give the forwarder its own core. The broker is another machine's
# work in production: a broker running here has its threads moved to the
# client's core for the run (BENCH_BROKER_CPU), so it takes no CPU from the
# server being measured. BENCH_MODE=dev runs `clicktrail
# dev` instead, whose enrich stage and clicks.jsonl sink also share the core
# (the embedded mode, not the production shape). nginx writes no access log:
# it is the bare redirect baseline. After the runs, the script prints the
# node's redirect and spool-append counters (its /metrics), which must agree.
#
# Everything listens on loopback; every process this script starts is
# stopped on exit. Knobs (environment): BENCH_LINKS (100000), BENCH_DURATION
# (15s), BENCH_WARMUP (10s: the slugs in order, so that every link is
# requested once if the server keeps up; the script says when a warm-up
# fell short, which leaves part of clicktrail's link cache cold), BENCH_ROUNDS (3), BENCH_CONNECTIONS (64),
# BENCH_SERVER_CPU (0), BENCH_CLIENT_CPU (1), BENCH_PORT_BASE (18180: uses
# this port and the next six), BENCH_MODE (redirect), BENCH_CEILING (1: also
# measure bare302; 0: skip), BENCH_KEEP_DIR (a directory that keeps the
# node's data, slugs and map between runs: creating 100,000 links through
# the API takes minutes, so a re-run reuses them), CLICKTRAIL_BENCH_KAFKA
# (127.0.0.1:19092),
# BENCH_BROKER_CPU (the client CPU: where a local Kafka broker's threads
# are moved for the run; empty leaves the broker alone),
# CLICKTRAIL_REDIRECT_FLAGS (extra flags for the node), CLICKTRAIL_SRC (the
# source tree clicktrail is built from; default this checkout).
set -euo pipefail

LINKS=${BENCH_LINKS:-100000}
DURATION=${BENCH_DURATION:-15s}
WARMUP=${BENCH_WARMUP:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-64}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
PORT_BASE=${BENCH_PORT_BASE:-18180}
MODE=${BENCH_MODE:-redirect}
CEILING=${BENCH_CEILING:-1}
KAFKA=${CLICKTRAIL_BENCH_KAFKA:-127.0.0.1:19092}
KEEP=${BENCH_KEEP_DIR:-}
BROKER_CPU=${BENCH_BROKER_CPU-$CLIENT_CPU}
read -r -a NODE_FLAGS <<<"${CLICKTRAIL_REDIRECT_FLAGS:-}"
HOST=go.brand.test
KEY=ct_bench_0123456789abcdef

REDIRECT_PORT=$PORT_BASE
API_PORT=$((PORT_BASE + 1))
NGINX_PORT=$((PORT_BASE + 2))
DEBUG_PORT=$((PORT_BASE + 3))
BARE_FAST_PORT=$((PORT_BASE + 4))
BARE_STD_PORT=$((PORT_BASE + 5))
BARE_GNET_PORT=$((PORT_BASE + 6))

bench_name=redirect-vs-nginx work_prefix=clicktrail-bench
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
src=${CLICKTRAIL_SRC:-$root}
declare -A server_pid server_port
broker_pid=
broker_affinity=

# bench_on_exit gives a local broker its CPUs back (see pin_broker).
bench_on_exit() {
  if [ -n "$broker_pid" ]; then
    taskset -a -pc "$broker_affinity" "$broker_pid" >/dev/null 2>&1 || true
  fi
}

install_tools() {
  command -v nginx >/dev/null && command -v wrk >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "nginx and wrk are missing and installing them needs root"
  log "installing nginx and wrk from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nginx-light wrk >/dev/null ||
    apt-get install -y -qq --no-install-recommends nginx wrk >/dev/null
}

# pin_broker: moves every thread of a local Kafka broker to BROKER_CPU (the
# client's core by default) for the run, so that the records the node's
# forwarder sends are handled off the server's core, as they would be on
# the broker's own machine, and so that the broker cannot take CPU from
# whichever server is measured. Its affinity is restored at exit.
pin_broker() {
  [ "$MODE" = redirect ] && [ -n "$BROKER_CPU" ] || return 0
  broker_pid=$(ss -Hltnp "sport = :${KAFKA##*:}" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
  if [ -z "$broker_pid" ]; then
    log "the Kafka broker at $KAFKA is not a process of this machine: left as it is"
    return 0
  fi
  broker_affinity=$(taskset -pc "$broker_pid" | awk '{print $NF}')
  taskset -a -pc "$BROKER_CPU" "$broker_pid" >/dev/null
  log "Kafka broker (pid $broker_pid) pinned to CPU $BROKER_CPU for the run (was $broker_affinity)"
}

# wait_http URL: until URL answers anything, for up to 30s.
wait_http() {
  local i
  for i in $(seq 300); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  die "$1 did not answer within 30s"
}

# location PORT SLUG: the Location header answered for SLUG.
location() {
  curl -s -o /dev/null -H "Host: $HOST" -w '%{redirect_url}' "http://127.0.0.1:$1/$2"
}

# only NAME: SIGCONT the server NAME, SIGSTOP every other one.
only() {
  local n
  for n in "${!server_pid[@]}"; do
    [ "$n" = "$1" ] || kill -STOP "${server_pid[$n]}"
  done
  kill -CONT "${server_pid[$1]}"
}

# measure NAME ROUND: warm-up run, then measured run of server NAME alone;
# appends "NAME RPS P99_US" to the results file.
measure() {
  local name=$1 round=$2 port=${server_port[$1]} out=$work/wrk-$1-$2.txt
  export BENCH_SLUGS=$work/slugs.txt BENCH_HOST=$HOST
  only "$name"
  BENCH_SEQUENTIAL=1 taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$root/bench/slugs.lua" \
    "http://127.0.0.1:$port" >"$work/wrk-$name-$round-warmup.txt"
  local warmed
  warmed=$(awk '/requests in/ {print $1}' "$work/wrk-$name-$round-warmup.txt")
  if [ "${warmed:-0}" -lt "$LINKS" ]; then
    log "round $round: $name: the warm-up requested $warmed of $LINKS slugs (raise BENCH_WARMUP)"
  fi
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$root/bench/slugs.lua" \
    "http://127.0.0.1:$port" >"$out"
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$out"; then
    sed 's/^/   /' "$out" >&2
    die "$name: wrk saw failed requests (see above)"
  fi
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v=$2; u=v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
        f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : -1; print v * f}' "$out")
  [ -n "$rps" ] && [ -n "$p99" ] || die "$name: cannot read wrk's output"
  log "round $round: $name $rps requests/s, p99 ${p99}us"
  echo "$name $rps $p99" >>"$work/results.txt"
}

# requests NAME: requests wrk counted for NAME over every run.
requests() {
  cat "$work"/wrk-"$1"-*.txt | awk '/requests in/ {n += $1} END {print n}'
}

# start_clicktrail: starts the clicktrail node pinned to the server CPU and
# creates the links through its API.
start_clicktrail() {
  local dir=$work/node args=()
  if [ -n "$KEEP" ]; then
    dir=$KEEP/node-$MODE
  fi
  mkdir -p "$dir"
  if [ "$MODE" = redirect ]; then
    args=(--kafka-brokers "$KAFKA" --topic-prefix "bench$$-$(date +%s)." --topic-partitions 1)
  fi
  taskset -c "$SERVER_CPU" "$work/clicktrail" "$MODE" --data-dir "$dir" \
    --redirect-addr "127.0.0.1:$REDIRECT_PORT" --api-addr "127.0.0.1:$API_PORT" \
    --debug-addr "127.0.0.1:$DEBUG_PORT" --api-key "$KEY" --api-rate-per-second -1 \
    --default-domain "$HOST" ${args[@]+"${args[@]}"} ${NODE_FLAGS[@]+"${NODE_FLAGS[@]}"} \
    >"$dir/clicktrail.log" 2>&1 &
  server_pid[clicktrail-$MODE]=$!
  server_port[clicktrail-$MODE]=$REDIRECT_PORT
  track "$!"
  wait_http "http://127.0.0.1:$API_PORT/v1/links"
  if [ -n "$KEEP" ] && [ -s "$KEEP/map-$MODE.conf" ] && [ "$(wc -l <"$KEEP/slugs-$MODE.txt")" = "$LINKS" ]; then
    log "clicktrail $MODE: reusing the $LINKS links kept in $KEEP"
    cp "$KEEP/slugs-$MODE.txt" "$work/slugs.txt"
    cp "$KEEP/map-$MODE.conf" "$work/map.conf"
    return
  fi
  log "clicktrail $MODE: creating $LINKS links"
  taskset -c "$CLIENT_CPU" "$work/mklinks" -api "http://127.0.0.1:$API_PORT" -key "$KEY" \
    -n "$LINKS" -concurrency 32 -slugs "$work/slugs.txt" -nginx-map "$work/map.conf" >&2
  if [ -n "$KEEP" ]; then
    cp "$work/slugs.txt" "$KEEP/slugs-$MODE.txt"
    cp "$work/map.conf" "$KEEP/map-$MODE.conf"
  fi
}

# start NAME PORT CMD...: starts a baseline server pinned to the server CPU.
start() {
  local name=$1 port=$2
  shift 2
  taskset -c "$SERVER_CPU" "$@" >"$work/$name.log" 2>&1 &
  server_pid[$name]=$!
  server_port[$name]=$port
  track "$!"
  wait_http "http://127.0.0.1:$port/"
}

write_nginx_conf() {
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 10000000;
  map_hash_max_size 262144;
  map_hash_bucket_size 128;
  map \$uri \$dest {
    default "";
    include $work/map.conf;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      if (\$dest = "") { return 404; }
      return 302 \$dest;
    }
  }
}
EOF
}

# metric NAME: the node's counter NAME from its /metrics.
metric() {
  curl -s "http://127.0.0.1:$DEBUG_PORT/metrics" | awk -v n="$1" '$1 == n {printf "%.0f", $2}'
}

main() {
  [ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (server on one, wrk on the other)"
  case "$MODE" in redirect | dev) ;; *) die "BENCH_MODE: want redirect or dev, got $MODE" ;; esac
  install_tools
  check_ports BENCH_PORT_BASE "$REDIRECT_PORT" "$API_PORT" "$NGINX_PORT" "$DEBUG_PORT" "$BARE_FAST_PORT" "$BARE_STD_PORT" "$BARE_GNET_PORT"
  log "building clicktrail, mklinks and bare302"
  (cd "$src" && GOFLAGS=-mod=mod go build -o "$work/clicktrail" ./cmd/clicktrail)
  (cd "$root" && GOFLAGS=-mod=mod go build -o "$work/mklinks" ./bench/cmd/mklinks)
  (cd "$root/bench/cmd/bare302" && GOFLAGS=-mod=mod go build -o "$work/bare302" .)

  pin_broker
  start_clicktrail
  write_nginx_conf
  start nginx "$NGINX_PORT" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
  local names=("clicktrail-$MODE" nginx)
  if [ "$CEILING" = 1 ]; then
    start bare-fasthttp "$BARE_FAST_PORT" "$work/bare302" -server fasthttp \
      -addr "127.0.0.1:$BARE_FAST_PORT" -map "$work/map.conf"
    start bare-nethttp "$BARE_STD_PORT" "$work/bare302" -server net/http \
      -addr "127.0.0.1:$BARE_STD_PORT" -map "$work/map.conf"
    start bare-gnet "$BARE_GNET_PORT" "$work/bare302" -server gnet \
      -addr "127.0.0.1:$BARE_GNET_PORT" -map "$work/map.conf"
    names+=(bare-fasthttp bare-nethttp bare-gnet)
  fi

  local sample want n got
  sample=$(head -n 1 "$work/slugs.txt")
  want=$(location "$REDIRECT_PORT" "$sample")
  [ -n "$want" ] || die "clicktrail does not redirect /$sample"
  for n in "${names[@]}"; do
    got=$(location "${server_port[$n]}" "$sample")
    [ "$got" = "$want" ] || die "the servers disagree on /$sample: clicktrail $want, $n $got"
  done

  local round
  for round in $(seq "$ROUNDS"); do
    for n in "${names[@]}"; do
      measure "$n" "$round"
    done
  done
  for n in "${names[@]}"; do kill -CONT "${server_pid[$n]}"; done

  local served redirects appends errors
  served=$(requests "clicktrail-$MODE")
  redirects=$(metric 'clicktrail_redirects_total{result="served"}')
  appends=$(metric clicktrail_spool_appends_total)
  errors=$(metric clicktrail_click_capture_errors_total)

  echo
  echo "redirects of $LINKS random slugs, wrk -t1 -c$CONNS -d$DURATION (after a $WARMUP warm-up), $ROUNDS rounds,"
  echo "every server alone on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU; medians over the rounds"
  awk '
    function median(s,   a, n, i, j, t) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { if (!($1 in rps)) order[++k] = $1; rps[$1] = rps[$1] " " $2; p99[$1] = p99[$1] " " $3 }
    END {
      printf "%-22s %12s %12s   %s\n", "server", "requests/s", "p99 (ms)", "requests/s of each round"
      for (i = 1; i <= k; i++) {
        n = order[i]; r[n] = median(rps[n]); p[n] = median(p99[n])
        printf "%-22s %12.0f %12.3f  %s\n", n, r[n], p[n] / 1000, rps[n]
      }
      for (i = 1; i <= k; i++) if (order[i] != "nginx")
        printf "%s / nginx: throughput %.2fx, p99 latency %.2fx\n", order[i], r[order[i]] / r["nginx"], p[order[i]] / p["nginx"]
    }' "$work/results.txt"
  echo "clicktrail-$MODE: wrk counted $served answers (warm-ups included); the node counted"
  echo "${redirects:-?} redirects served, ${appends:-?} spool appends (its clicks, plus the link records"
  echo "it publishes for replication in redirect mode) and ${errors:-?} capture errors"
  echo "(wrk does not count the up to $CONNS requests in flight when each of its runs ends)"
}

main "$@"
