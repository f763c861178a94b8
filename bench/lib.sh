# shellcheck shell=bash
# Shared by the bench scripts: sourced, never run. Before sourcing, a script
# sets bench_name (its name in error messages) and work_prefix (the name of
# its temporary directory under /tmp). It gets:
#
#   root          this checkout
#   work          a fresh temporary directory, removed at exit
#   log MSG       a progress line on stderr
#   die MSG       an error line on stderr, exit 1
#   track PID     the process is resumed (if SIGSTOPped), stopped with
#                 SIGTERM and waited for at exit
#   check_ports KNOB PORT...
#                 dies if a port is in use, naming the knob that moves them
#   bench_on_exit a function the script may define: called at exit, before
#                 the tracked processes are stopped
#
# Ctrl-C and SIGTERM exit 130 through the same cleanup.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "/tmp/${work_prefix:?set work_prefix before sourcing bench/lib.sh}.XXXXXX")
bench_pids=()

log() { printf '== %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "${bench_name:-bench}" "$*" >&2; exit 1; }

track() { bench_pids+=("$1"); }

bench_cleanup() {
  if declare -F bench_on_exit >/dev/null; then
    bench_on_exit || true
  fi
  local pid
  for pid in "${bench_pids[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${bench_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

check_ports() {
  local knob=$1 p
  shift
  for p in "$@"; do
    if ss -Hltn "sport = :$p" | grep -q .; then
      die "port $p is in use (set $knob)"
    fi
  done
}
