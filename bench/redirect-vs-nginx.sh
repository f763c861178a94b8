#!/usr/bin/env bash
# Redirect throughput and p99 latency of clicktrail against nginx serving the
# same slugs from a static `map` with `return 302`, side by side on this
# machine (design.md, "Performance targets").
#
#   bench/redirect-vs-nginx.sh                      # clicktrail dev vs nginx
#   CLICKTRAIL_BENCH_KAFKA=127.0.0.1:19092 bench/redirect-vs-nginx.sh   # also `clicktrail redirect`
#
# What runs: nginx and wrk are installed from Debian when missing (apt-get,
# as root). clicktrail is built, started, and given BENCH_LINKS links through
# its API (bench/cmd/mklinks, parallel requests); nginx gets the same slugs
# and destinations as a map. Each server runs alone, pinned to
# BENCH_SERVER_CPU (one core, GOMAXPROCS follows the affinity; nginx has one
# worker), with wrk pinned to BENCH_CLIENT_CPU requesting random slugs
# (bench/slugs.lua). Each server gets a warm-up run, then the measured run.
#
# Click capture stays on for clicktrail. In `dev` that means the whole
# pipeline (spool, enrich, the clicks.jsonl sink) shares the server's one
# core with the redirector; with CLICKTRAIL_BENCH_KAFKA the `redirect` node
# spools and produces to that broker (topics under a fresh prefix, left on
# the broker). nginx writes no access log: it is the bare redirect baseline.
#
# Everything listens on loopback; every process this script starts is
# stopped on exit. Knobs (environment): BENCH_LINKS (100000), BENCH_DURATION
# (15s), BENCH_WARMUP (3s), BENCH_CONNECTIONS (64), BENCH_SERVER_CPU (0),
# BENCH_CLIENT_CPU (1), BENCH_PORT_BASE (18180: uses this port and the next
# two), CLICKTRAIL_SRC (the source tree clicktrail is built from; default
# this checkout).
set -euo pipefail

LINKS=${BENCH_LINKS:-100000}
DURATION=${BENCH_DURATION:-15s}
WARMUP=${BENCH_WARMUP:-3s}
CONNS=${BENCH_CONNECTIONS:-64}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
PORT_BASE=${BENCH_PORT_BASE:-18180}
KAFKA=${CLICKTRAIL_BENCH_KAFKA:-}
HOST=go.brand.test
KEY=ct_bench_0123456789abcdef

REDIRECT_PORT=$PORT_BASE
API_PORT=$((PORT_BASE + 1))
NGINX_PORT=$((PORT_BASE + 2))

root=$(cd "$(dirname "$0")/.." && pwd)
src=${CLICKTRAIL_SRC:-$root}
work=$(mktemp -d /tmp/clicktrail-bench.XXXXXX)
pids=()

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'redirect-vs-nginx: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop PID: SIGTERM, then wait up to 30s before SIGKILL.
stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
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

check_ports() {
  local p
  for p in "$@"; do
    if ss -Hltn "sport = :$p" | grep -q .; then
      die "port $p is in use (set BENCH_PORT_BASE)"
    fi
  done
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

# measure NAME PORT: warm-up run, measured run; appends "NAME RPS P99_US" to
# the results file.
measure() {
  local name=$1 port=$2 out=$work/wrk-$1.txt
  export BENCH_SLUGS=$work/slugs.txt BENCH_HOST=$HOST
  log "$name: warm-up $WARMUP"
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$root/bench/slugs.lua" \
    "http://127.0.0.1:$port" >"$work/wrk-$name-warmup.txt"
  log "$name: wrk -t1 -c$CONNS -d$DURATION --latency"
  taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$root/bench/slugs.lua" \
    "http://127.0.0.1:$port" >"$out"
  sed 's/^/   /' "$out" >&2
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$out"; then
    die "$name: wrk saw failed requests (see above)"
  fi
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v=$2; u=v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
        f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : -1; print v * f}' "$out")
  [ -n "$rps" ] && [ -n "$p99" ] || die "$name: cannot read wrk's output"
  echo "$name $rps $p99" >>"$work/results.txt"
}

# requests NAME: requests wrk sent in the warm-up and measured runs of NAME.
requests() {
  cat "$work/wrk-$1-warmup.txt" "$work/wrk-$1.txt" | awk '/requests in/ {n += $1} END {print n}'
}

# start_clicktrail MODE DATADIR [ARGS...]: starts a clicktrail node pinned to
# the server CPU and creates the links through its API.
start_clicktrail() {
  local mode=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  taskset -c "$SERVER_CPU" "$work/clicktrail" "$mode" --data-dir "$dir" \
    --redirect-addr "127.0.0.1:$REDIRECT_PORT" --api-addr "127.0.0.1:$API_PORT" \
    --api-key "$KEY" --api-rate-per-second -1 --default-domain "$HOST" "$@" >"$dir/clicktrail.log" 2>&1 &
  ct_pid=$!
  pids+=("$ct_pid")
  wait_http "http://127.0.0.1:$API_PORT/v1/links"
  log "clicktrail $mode: creating $LINKS links"
  taskset -c "$CLIENT_CPU" "$work/mklinks" -api "http://127.0.0.1:$API_PORT" -key "$KEY" \
    -n "$LINKS" -concurrency 32 -slugs "$work/slugs.txt" -nginx-map "$work/map.conf" >&2
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

main() {
  [ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (server on one, wrk on the other)"
  install_tools
  check_ports "$REDIRECT_PORT" "$API_PORT" "$NGINX_PORT"
  log "building clicktrail and mklinks"
  (cd "$src" && GOFLAGS=-mod=mod go build -o "$work/clicktrail" ./cmd/clicktrail)
  (cd "$root" && GOFLAGS=-mod=mod go build -o "$work/mklinks" ./bench/cmd/mklinks)

  # clicktrail dev: link API, redirector, spool, enrich and sink in one process.
  start_clicktrail dev "$work/dev"
  write_nginx_conf
  measure clicktrail-dev "$REDIRECT_PORT"
  local sample ct_loc
  sample=$(head -n 1 "$work/slugs.txt")
  ct_loc=$(location "$REDIRECT_PORT" "$sample")
  local want captured i
  want=$(requests clicktrail-dev)
  log "clicktrail dev: waiting (up to 60s) for its $want clicks to reach clicks.jsonl"
  for i in $(seq 600); do
    captured=$(wc -l 2>/dev/null <"$work/dev/clicks.jsonl" || echo 0)
    [ "$captured" -ge "$want" ] && break
    sleep 0.1
  done
  stop "$ct_pid"
  log "clicktrail dev: $captured lines in clicks.jsonl for $want requests served"

  if [ -n "$KAFKA" ]; then
    start_clicktrail redirect "$work/redirect" --kafka-brokers "$KAFKA" \
      --topic-prefix "bench$$-$(date +%s)." --topic-partitions 1
    measure clicktrail-redirect "$REDIRECT_PORT"
    stop "$ct_pid"
  fi

  taskset -c "$SERVER_CPU" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  local nginx_pid=$!
  pids+=("$nginx_pid")
  wait_http "http://127.0.0.1:$NGINX_PORT/"
  local ng_loc
  ng_loc=$(location "$NGINX_PORT" "$sample")
  [ -n "$ct_loc" ] && [ "$ct_loc" = "$ng_loc" ] ||
    die "the servers disagree on /$sample: clicktrail $ct_loc, nginx $ng_loc"
  measure nginx "$NGINX_PORT"
  stop "$nginx_pid"

  echo
  echo "redirects of $LINKS random slugs, wrk -t1 -c$CONNS -d$DURATION, server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU"
  awk '
    { name[NR] = $1; rps[NR] = $2; p99[NR] = $3; if ($1 == "nginx") { nrps = $2; np99 = $3 } }
    END {
      printf "%-22s %12s %12s\n", "server", "requests/s", "p99 (ms)"
      for (i = 1; i <= NR; i++) printf "%-22s %12.0f %12.3f\n", name[i], rps[i], p99[i] / 1000
      for (i = 1; i <= NR; i++) if (name[i] != "nginx")
        printf "%s / nginx: throughput %.2fx, p99 latency %.2fx\n", name[i], rps[i] / nrps, p99[i] / np99
    }' "$work/results.txt"
  echo "clicktrail dev recorded $captured click lines for the $want redirects wrk counted (warm-up"
  echo "included; wrk does not count the up to $((2 * CONNS)) requests in flight when a run ends)"
}

main "$@"
