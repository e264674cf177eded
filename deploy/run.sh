#!/usr/bin/env bash
# Netzwerk lokal mit Demo-Daten starten: http://localhost:5080
#   deploy/run.sh            (Ctrl-C beendet App und Server)
# Server: PostgreSQL 127.0.0.1:25432, RabbitMQ 127.0.0.1:25672 (Management :25675),
# Daten unter .local/run/. Externe Server: ConnectionStrings__Netzwerk / RabbitMq__Host vorher setzen.
# shellcheck disable=SC2317,SC2119  # (trap handlers; nz_install_prereqs takes its own options)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

NAME=run
PG_PORT=25432
RMQ_PORT=25672
APP_PORT=5080
URL="http://localhost:$APP_PORT"

if _nz_port_busy "$APP_PORT" 127.0.0.1 || _nz_port_busy "$APP_PORT" ::1; then
  _nz_abort "Port $APP_PORT ist bereits belegt – läuft Netzwerk schon (deploy/run.sh)? Den Prozess zuerst beenden.
$(_nz_port_owner "$APP_PORT")"
fi
nz_lock "$NAME" --nowait

APP_PID=""
_cleaned=0
cleanup() {
  local rc=$?
  (( _cleaned )) && return 0
  _cleaned=1
  # Ignored, not reset, while everything stops (see _nz_session_cleanup in lib.sh): a second Ctrl-C must not leave
  # PostgreSQL and RabbitMQ running.
  trap - EXIT
  trap '' INT TERM
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    _nz_log "Stoppe Netzwerk.Web (pid $APP_PID) ..."
    NZ_KILL_GRACE=30 _nz_kill_pids "$APP_PID"
  fi
  nz_stop "$NAME" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nz_install_prereqs
nz_start_postgres "$NAME" "$PG_PORT"
nz_start_rabbitmq "$NAME" "$RMQ_PORT"
nz_env "$NAME" "$PG_PORT" "$RMQ_PORT"
export Demo__Enabled=true
export Demo__SeedReferrals=true   # a few referrals so lists, partner inbox and figures are not empty
export ASPNETCORE_ENVIRONMENT=Development
export ASPNETCORE_URLS="$URL"
# Demo: partner access-link mails land as .eml files here instead of going to an SMTP server.
export PublicBaseUrl="$URL"
export Smtp__PickupDirectory="${Smtp__PickupDirectory:-$NZ_REPO/.local/run/mails}"
mkdir -p "$Smtp__PickupDirectory"
export MSBUILDDISABLENODEREUSE=1   # no build nodes left behind holding our terminal/pipes

_nz_log "dotnet build -c Release src/Web/Netzwerk.Web.csproj ..."
dotnet build -c Release -nologo src/Web/Netzwerk.Web.csproj 9>&-

# Working directory src/Web = content root (appsettings*.json, wwwroot), like `dotnet run`.
_nz_log "Starte Netzwerk.Web ($URL) ..."
( cd src/Web && exec dotnet bin/Release/net10.0/Netzwerk.Web.dll ) 9>&- &
APP_PID=$!

nz_wait_ready "$URL" "$APP_PID"

users="$(curl -s --max-time 10 "$URL/api/demo/users" 2>/dev/null || true)"
{
  echo
  echo "=================================================================="
  echo " Netzwerk läuft: $URL"
  echo " Demo-Logins (GET $URL/api/demo/users):"
  if [[ -z "$users" ]]; then
    echo "   (keine Antwort)"
  elif command -v jq >/dev/null 2>&1 && jq . <<<"$users" 2>/dev/null; then
    :
  elif command -v python3 >/dev/null 2>&1 && python3 -m json.tool <<<"$users" 2>/dev/null; then
    :
  else
    printf '%s\n' "$users"
  fi
  echo " Beenden mit Ctrl-C."
  echo "=================================================================="
  echo
}

set +e
wait "$APP_PID"
app_rc=$?
set -e
APP_PID=""
_nz_log "Netzwerk.Web beendet (Exit-Code $app_rc)."
exit "$app_rc"
