#!/usr/bin/env bash
# Chaos-Benchmark (deploy/bench.sh chaos [--lifecycles N] [--clients N] [--fault-interval S]):
# ein frischer Cluster je Lauf -- PostgreSQL 23432, RabbitMQ chaos-r1..r3 (AMQP 23672/23772/23872, Quorum-Queues),
# zwei überwachte App-Instanzen (23081, 23082; ein getöteter Prozess wird neu gestartet), ein SMTP-Server (23025) --,
# dann treibt bench/Netzwerk.Bench (chaos) Lebensläufe hindurch, während es Instanzen tötet, den RabbitMQ-Knoten mit
# der Führung einer Queue tötet und neu startet und PostgreSQL neu startet. Letzte Zeile: "chaos lifecycles=… lost=…".
# shellcheck disable=SC2317,SC2119
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

NAME=chaos
PG_PORT=23432
RMQ_PORT=23672
SMTP_PORT=23025
APP_PORTS=(23081 23082)
DIR="$NZ_LOCAL/$NAME"

nz_lock "$NAME" --nowait
SUPERVISORS=()
SMTP_PID=""
_cleaned=0
cleanup() {
  local rc=$?
  (( _cleaned )) && return 0
  _cleaned=1
  trap - EXIT
  trap '' INT TERM
  : >"$DIR/stop"
  local p pids=()
  for p in "${SUPERVISORS[@]}"; do kill -0 "$p" 2>/dev/null && pids+=("$p"); done
  for p in "$DIR"/app*.pid; do [[ -f "$p" ]] && pids+=("$(cat "$p")"); done
  [[ -n "$SMTP_PID" ]] && pids+=("$SMTP_PID")
  (( ${#pids[@]} )) && NZ_KILL_GRACE=20 _nz_kill_pids "${pids[@]}"
  nz_stop_rabbitmq_cluster "$NAME" 3 || true
  nz_stop "$NAME" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nz_install_prereqs --cluster
# Every run starts from nothing: the checks below read the whole database and every queue.
nz_stop_rabbitmq_cluster "$NAME" 3
nz_clean "$NAME"; for i in 1 2 3; do nz_clean "$NAME-r$i"; done
nz_start_postgres "$NAME" "$PG_PORT"
nz_start_rabbitmq_cluster "$NAME" "$RMQ_PORT" 3
nz_env "$NAME" "$PG_PORT" "$RMQ_PORT"
export RabbitMq__Nodes="$NZ_RMQ_CLUSTER_NODES" RabbitMq__QueueType=quorum
export Demo__Enabled=true ASPNETCORE_ENVIRONMENT=Benchmark PublicBaseUrl=http://localhost:23081
export Smtp__Host=127.0.0.1 Smtp__Port="$SMTP_PORT" Smtp__Security=None Smtp__PollInterval=00:00:00.500
export Smtp__FirstRetryDelay=00:00:01 Smtp__MaxRetryDelay=00:00:05
export Workflows__Deadlines__PollInterval=00:00:01
export MSBUILDDISABLENODEREUSE=1
mkdir -p "$DIR/mails" "$DIR/logs"
rm -f "$DIR/stop"

/usr/bin/python3 tests/Netzwerk.Tests/Identity/PartnerLinks/smtp_sink.py "$SMTP_PORT" "$DIR/mails" >"$DIR/logs/smtp.log" 2>&1 9>&- &
SMTP_PID=$!
for (( i = 0; i < 100; i++ )); do _nz_port_busy "$SMTP_PORT" && break; sleep 0.1; done
_nz_port_busy "$SMTP_PORT" || { cat "$DIR/logs/smtp.log" >&2; _nz_abort "SMTP-Server startet nicht"; }

for p in src/Web/Netzwerk.Web.csproj bench/Netzwerk.Bench/Netzwerk.Bench.csproj; do
  dotnet build -c Release -nologo -v q "$p" 9>&- >"$DIR/logs/build.log" 2>&1 || { tail -20 "$DIR/logs/build.log"; _nz_abort "Build fehlgeschlagen"; }
done

# A supervisor per instance: the benchmark SIGKILLs the app (pid in appN.pid); it comes back like under systemd.
supervise() {  # INDEX PORT
  while [[ ! -e "$DIR/stop" ]]; do
    ( cd src/Web && ASPNETCORE_URLS="http://127.0.0.1:$2" exec dotnet bin/Release/net10.0/Netzwerk.Web.dll ) \
      >>"$DIR/logs/app$1.log" 2>&1 9>&- &
    echo $! >"$DIR/app$1.pid"
    wait $! || true
    sleep 0.5
  done
}
# The first instance migrates the database; the second starts when it is ready.
for i in "${!APP_PORTS[@]}"; do
  supervise "$((i + 1))" "${APP_PORTS[i]}" 9>&- &
  SUPERVISORS+=($!)
  nz_wait_ready "http://127.0.0.1:${APP_PORTS[i]}" "${SUPERVISORS[-1]}" 300 "Netzwerk.Web (überwacht)"
done

apps=""; for p in "${APP_PORTS[@]}"; do apps+="${apps:+,}http://127.0.0.1:$p"; done
export NZ_CHAOS_APPS="$apps" NZ_CHAOS_DIR="$DIR" NZ_CHAOS_MAILS="$DIR/mails"
export NZ_CHAOS_RMQ="$NZ_LOCAL/$NAME-r1,$NZ_LOCAL/$NAME-r2,$NZ_LOCAL/$NAME-r3"
export NZ_CHAOS_RMQ_MANAGEMENT="$((RMQ_PORT + 3)),$((RMQ_PORT + 103)),$((RMQ_PORT + 203))"
dotnet bench/Netzwerk.Bench/bin/Release/net10.0/Netzwerk.Bench.dll chaos "$@" 9>&-
