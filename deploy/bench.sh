#!/usr/bin/env bash
# Benchmarks mit privaten Servern:
#   deploy/bench.sh search|referrals|all [weitere Argumente für Netzwerk.Bench]
# Server: PostgreSQL 127.0.0.1:57432, RabbitMQ 127.0.0.1:57672 (Management :57675), Daten unter
# .local/bench/ (NZ_FRESH=1: vorher löschen).
# shellcheck disable=SC2317,SC2119  # (trap handlers; nz_install_prereqs takes its own options)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

if (( $# == 0 )); then
  echo "Aufruf: deploy/bench.sh search|referrals|all [weitere Argumente]" >&2
  exit 2
fi

NAME=bench
PG_PORT=57432
RMQ_PORT=57672

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

nz_install_prereqs
[[ "${NZ_FRESH:-0}" == 1 ]] && nz_clean "$NAME"
nz_start_postgres "$NAME" "$PG_PORT"
nz_start_rabbitmq "$NAME" "$RMQ_PORT"
nz_env "$NAME" "$PG_PORT" "$RMQ_PORT"
export MSBUILDDISABLENODEREUSE=1

set +e
dotnet run -c Release --project bench/Netzwerk.Bench -- "$@" 9>&-
rc=$?
set -e
exit "$rc"
