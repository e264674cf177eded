#!/usr/bin/env bash
# Benchmarks mit privaten Servern:
#   deploy/bench.sh search|referrals|import|figures|loop|chaos|all [weitere Argumente für Netzwerk.Bench]
# Server: PostgreSQL 127.0.0.1:27432, RabbitMQ 127.0.0.1:27672 (Management :27675; NZ_BENCH_PG_PORT/NZ_BENCH_RMQ_PORT
# ändern sie, damit Läufe aus mehreren Checkouts nebeneinander gehen), Daten unter
# .local/bench/ (NZ_FRESH=1: vorher löschen).
# shellcheck disable=SC2317,SC2119  # (trap handlers; nz_install_prereqs takes its own options)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

if (( $# == 0 )); then
  echo "Aufruf: deploy/bench.sh search|referrals|import|figures|loop|chaos|all [weitere Argumente]" >&2
  exit 2
fi

# The chaos benchmark brings its own cluster (three brokers, two app instances).
[[ "$1" == chaos ]] && { shift; exec bash deploy/chaos.sh "$@"; }

nz_session bench "${NZ_BENCH_PG_PORT:-27432}" "${NZ_BENCH_RMQ_PORT:-27672}"
export MSBUILDDISABLENODEREUSE=1

set +e
dotnet run -c Release --project bench/Netzwerk.Bench -- "$@" 9>&-
rc=$?
set -e
exit "$rc"
