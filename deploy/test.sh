#!/usr/bin/env bash
# Alle Tests mit privaten Servern ausführen:
#   deploy/test.sh [zusätzliche dotnet-test-Argumente, z. B. --filter Category=Search]
# Server: PostgreSQL 127.0.0.1:26432, RabbitMQ 127.0.0.1:26672 (Management :26675; NZ_TEST_PG_PORT/NZ_TEST_RMQ_PORT
# setzen andere Ports, damit zwei Checkouts gleichzeitig testen können), Daten unter
# .local/test/ (NZ_FRESH=1: vorher löschen). Ausgabe zusätzlich in .local/logs/test.log.
# Letzte Zeile: "N passed, N failed, N skipped". Exit-Code = der von dotnet test.
# shellcheck disable=SC2317,SC2119  # (trap handlers; nz_install_prereqs takes its own options)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

nz_session test "${NZ_TEST_PG_PORT:-26432}" "${NZ_TEST_RMQ_PORT:-26672}" --browser
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
nz_session_end

# CI shows only the end of the output: name the failed tests there, with the first lines of each failure.
if grep -q '^\s*Failed Netzwerk\.' "$log"; then
  echo
  echo "Fehlgeschlagene Tests:"
  grep -A6 '^\s*Failed Netzwerk\.' "$log" | cut -c1-300 | head -80
fi
summary="$(nz_test_summary "$log")" || _nz_log "Keine Testergebnisse in der Ausgabe gefunden (Build-Fehler?), siehe $log"
echo
echo "$summary"
exit "$rc"
