#!/usr/bin/env bash
# Local services for development and tests: a real Apache Kafka 4.x broker in
# KRaft mode and a real ClickHouse server, both on loopback, both under one
# directory ($CLICKTRAIL_LOCAL_DIR, default <repo>/.local).
#
#   services.sh start [kafka|clickhouse|all]   install when missing, then start (idempotent)
#   services.sh stop  [kafka|clickhouse|all] [--wipe]
#                                              stop; --wipe also deletes their data
#   services.sh status
#   services.sh env                            print the exports tests and `clicktrail` read
#
# Installs: ClickHouse from Debian (clickhouse-server, 18.16 on bookworm); the
# Kafka broker's jars from Maven Central through deploy/local/kafka/pom.xml,
# run with the machine's JDK 17 (installed from Debian when missing).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=${CLICKTRAIL_LOCAL_DIR:-$repo/.local}
kafka_port=${CLICKTRAIL_KAFKA_PORT:-19092}
kafka_controller_port=${CLICKTRAIL_KAFKA_CONTROLLER_PORT:-19093}
ch_port=${CLICKTRAIL_CLICKHOUSE_PORT:-19000}
ch_http_port=${CLICKTRAIL_CLICKHOUSE_HTTP_PORT:-18123}

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

apt_install() {
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	if [ ! -f "$root/.apt-updated" ]; then
		$sudo apt-get update -qq >/dev/null
		mkdir -p "$root" && touch "$root/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# wait_for NAME SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local name=$1 secs=$2
	shift 2
	local deadline=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.3
	done
	log "$name is up"
}

# ---------------------------------------------------------------- Kafka

kafka_dir=$root/kafka
kafka_install() {
	command -v java >/dev/null || apt_install openjdk-17-jre-headless
	command -v mvn >/dev/null || apt_install maven
	local stamp=$kafka_dir/libs/.pom.sha
	local want
	want=$(sha256sum "$here/kafka/pom.xml" | cut -d' ' -f1)
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return
	fi
	log "resolving the Kafka broker's jars from Maven Central"
	rm -rf "$kafka_dir/libs"
	mkdir -p "$kafka_dir/libs"
	mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
		-DincludeScope=runtime -DoutputDirectory="$kafka_dir/libs" >"$kafka_dir/mvn.log" 2>&1 ||
		{ tail -20 "$kafka_dir/mvn.log" >&2; die "maven could not resolve the Kafka jars"; }
	echo "$want" >"$stamp"
}

kafka_java() {
	java -Xms256m -Xmx768m -XX:+UseG1GC \
		-Dlog4j2.configurationFile="$here/kafka/log4j2.properties" \
		-cp "$kafka_dir/libs/*" "$@"
}

kafka_start() {
	if pid_alive "$kafka_dir/kafka.pid" && port_open "$kafka_port"; then
		log "kafka already running on 127.0.0.1:$kafka_port"
		return
	fi
	kafka_install
	mkdir -p "$kafka_dir/data"
	sed -e "s#@PORT@#$kafka_port#g" -e "s#@CONTROLLER_PORT@#$kafka_controller_port#g" \
		-e "s#@DATA@#$kafka_dir/data#g" "$here/kafka/server.properties.in" >"$kafka_dir/server.properties"
	if [ ! -f "$kafka_dir/data/meta.properties" ]; then
		local id
		id=$(kafka_java kafka.tools.StorageTool random-uuid)
		kafka_java kafka.tools.StorageTool format -t "$id" -c "$kafka_dir/server.properties" --standalone >/dev/null
	fi
	: >"$kafka_dir/kafka.log"
	nohup bash -c 'exec "$@"' _ java -Xms256m -Xmx768m -XX:+UseG1GC \
		-Dlog4j2.configurationFile="$here/kafka/log4j2.properties" \
		-cp "$kafka_dir/libs/*" kafka.Kafka "$kafka_dir/server.properties" \
		>>"$kafka_dir/kafka.log" 2>&1 </dev/null &
	echo $! >"$kafka_dir/kafka.pid"
	if ! wait_for "kafka (127.0.0.1:$kafka_port)" 90 kafka_ready; then
		tail -30 "$kafka_dir/kafka.log" >&2
		die "kafka did not start; log: $kafka_dir/kafka.log"
	fi
}

kafka_ready() {
	pid_alive "$kafka_dir/kafka.pid" || return 1
	port_open "$kafka_port" && grep -q "Kafka Server started" "$kafka_dir/kafka.log"
}

kafka_stop() { stop_pid kafka "$kafka_dir/kafka.pid" "$kafka_port"; }

# ---------------------------------------------------------------- ClickHouse

ch_dir=$root/clickhouse
ch_bin() { command -v clickhouse-server || { [ -x /usr/sbin/clickhouse-server ] && echo /usr/sbin/clickhouse-server; }; }

ch_install() {
	if [ -z "$(ch_bin)" ] || ! command -v clickhouse-client >/dev/null; then
		log "installing clickhouse-server and clickhouse-client from Debian"
		apt_install clickhouse-server clickhouse-client
	fi
}

ch_start() {
	if pid_alive "$ch_dir/clickhouse.pid" && port_open "$ch_port"; then
		log "clickhouse already running on 127.0.0.1:$ch_port"
		return
	fi
	ch_install
	mkdir -p "$ch_dir"/{data,tmp,log,user_files,format_schemas}
	sed -e "s#@DIR@#$ch_dir#g" -e "s#@PORT@#$ch_port#g" -e "s#@HTTP_PORT@#$ch_http_port#g" \
		"$here/clickhouse/config.xml.in" >"$ch_dir/config.xml"
	cp "$here/clickhouse/users.xml" "$ch_dir/users.xml"
	nohup "$(ch_bin)" --config-file="$ch_dir/config.xml" >"$ch_dir/stdout.log" 2>&1 </dev/null &
	echo $! >"$ch_dir/clickhouse.pid"
	if ! wait_for "clickhouse (127.0.0.1:$ch_port)" 60 clickhouse-client --port "$ch_port" -q "SELECT 1"; then
		tail -30 "$ch_dir/log/error.log" "$ch_dir/stdout.log" >&2 || true
		die "clickhouse did not start"
	fi
}

ch_stop() { stop_pid clickhouse "$ch_dir/clickhouse.pid" "$ch_port"; }

# ---------------------------------------------------------------- common

stop_pid() {
	local name=$1 pidfile=$2 port=$3
	if pid_alive "$pidfile"; then
		local pid
		pid=$(cat "$pidfile")
		kill "$pid" 2>/dev/null || true
		local deadline=$((SECONDS + 30))
		while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
		kill -9 "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		log "$name stopped"
	fi
	rm -f "$pidfile"
	# A server we did not start (another checkout's) would answer tests on our port.
	if port_open "$port"; then log "warning: something else still listens on 127.0.0.1:$port"; fi
}

print_env() {
	cat <<EOF
export CLICKTRAIL_TEST_KAFKA=127.0.0.1:$kafka_port
export CLICKTRAIL_TEST_CLICKHOUSE=clickhouse://127.0.0.1:$ch_port/default
export CLICKTRAIL_LOCAL_DIR=$root
EOF
}

cmd=${1:-status}
what=${2:-all}
case "$what" in kafka | clickhouse | all) ;; --wipe) what=all ;; *) die "unknown service $what" ;; esac
wipe=false
for a in "$@"; do [ "$a" = "--wipe" ] && wipe=true; done

case "$cmd" in
start)
	mkdir -p "$root"
	[ "$what" = kafka ] || ch_start
	[ "$what" = clickhouse ] || kafka_start
	;;
stop)
	[ "$what" = kafka ] || ch_stop
	[ "$what" = clickhouse ] || kafka_stop
	if $wipe; then
		[ "$what" = kafka ] || rm -rf "$ch_dir"
		[ "$what" = clickhouse ] || rm -rf "$kafka_dir/data" "$kafka_dir/kafka.log" "$kafka_dir/server.properties"
		log "data wiped"
	fi
	;;
status)
	pid_alive "$kafka_dir/kafka.pid" && echo "kafka: running (127.0.0.1:$kafka_port)" || echo "kafka: stopped"
	pid_alive "$ch_dir/clickhouse.pid" && echo "clickhouse: running (127.0.0.1:$ch_port)" || echo "clickhouse: stopped"
	;;
env) print_env ;;
*) die "usage: services.sh start|stop|status|env [kafka|clickhouse|all] [--wipe]" ;;
esac
