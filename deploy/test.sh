#!/usr/bin/env bash
# Alle Tests mit privaten Servern ausführen:
#   deploy/test.sh [zusätzliche dotnet-test-Argumente, z. B. --filter Category=Search]
# Server: PostgreSQL 127.0.0.1:56432, RabbitMQ 127.0.0.1:56672 (Management :56675), Daten unter
# .local/test/ (NZ_FRESH=1: vorher löschen). Ausgabe zusätzlich in .local/logs/test.log.
# Letzte Zeile: "N passed, N failed, N skipped". Exit-Code = der von dotnet test.
# shellcheck disable=SC2317,SC2119  # (trap handlers; nz_install_prereqs takes its own options)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

NAME="test"
PG_PORT=56432
RMQ_PORT=56672

nz_lock "$NAME" --wait

_cleaned=0
cleanup() {
  local rc=$?
  (( _cleaned )) && return 0
  _cleaned=1
  trap - INT TERM EXIT
  nz_stop "$NAME" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nz_install_prereqs --browser
[[ "${NZ_FRESH:-0}" == 1 ]] && nz_clean "$NAME"
nz_start_postgres "$NAME" "$PG_PORT"
nz_start_rabbitmq "$NAME" "$RMQ_PORT"
nz_env "$NAME" "$PG_PORT" "$RMQ_PORT"
export NETZWERK_CHROMIUM=/usr/bin/chromium
export MSBUILDDISABLENODEREUSE=1   # no build nodes left behind holding the tee pipe open

sln=Netzwerk.sln
[[ ! -f "$sln" && -f Netzwerk.slnx ]] && sln=Netzwerk.slnx

mkdir -p "$NZ_LOCAL/logs"
log="$NZ_LOCAL/logs/test.log"
set +e
dotnet test "$sln" -c Release --logger "console;verbosity=normal" "$@" 2>&1 9>&- | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# stop the servers first so that the summary is the last line
_cleaned=1
trap - INT TERM EXIT
nz_stop "$NAME" || true

summary="$(nz_test_summary "$log")" || _nz_log "Keine Testergebnisse in der Ausgabe gefunden (Build-Fehler?), siehe $log"
echo
echo "$summary"
exit "$rc"
