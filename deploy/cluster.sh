#!/usr/bin/env bash
# Netzwerk als Cluster auf einem Rechner: http://localhost:5080 (nginx) vor NZ_CLUSTER_APPS App-Instanzen (Standard 2,
# Ports 5081, 5082, …), ein RabbitMQ-Cluster aus drei Knoten (AMQP 24672, 24772, 24872; Management jeweils +3,
# Quorum-Queues), eine PostgreSQL (24432); Demo-Daten wie deploy/run.sh. Daten unter .local/cluster*/.
#   deploy/cluster.sh        (Ctrl-C beendet alles, per Prozess-ID)
# shellcheck disable=SC2317,SC2119  # (trap handlers; nz_install_prereqs takes its own options)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

NAME=cluster
PG_PORT=24432
RMQ_PORT=24672
LB_PORT=5080
APPS="${NZ_CLUSTER_APPS:-2}"
URL="http://localhost:$LB_PORT"
(( APPS >= 1 && APPS <= 5 )) || _nz_abort "NZ_CLUSTER_APPS: 1 bis 5"

for p in "$LB_PORT" $(seq $((LB_PORT + 1)) $((LB_PORT + APPS))); do
  if _nz_port_busy "$p" 127.0.0.1; then
    _nz_abort "Port $p ist bereits belegt – läuft Netzwerk schon (deploy/run.sh oder deploy/cluster.sh)?
$(_nz_port_owner "$p")"
  fi
done
nz_lock "$NAME" --nowait

APP_PIDS=()
NGINX_PID=""
_cleaned=0
cleanup() {
  local rc=$?
  (( _cleaned )) && return 0
  _cleaned=1
  trap - EXIT
  trap '' INT TERM   # a second Ctrl-C must not leave servers running (see _nz_session_cleanup in lib.sh)
  local p live=()
  for p in "${APP_PIDS[@]}" $NGINX_PID; do kill -0 "$p" 2>/dev/null && live+=("$p"); done
  if (( ${#live[@]} )); then
    _nz_log "Stoppe App-Instanzen und nginx (pid ${live[*]}) ..."
    NZ_KILL_GRACE=30 _nz_kill_pids "${live[@]}"
  fi
  nz_stop_rabbitmq_cluster "$NAME" 3 || true
  nz_stop "$NAME" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nz_install_prereqs --cluster
nz_start_postgres "$NAME" "$PG_PORT"
nz_start_rabbitmq_cluster "$NAME" "$RMQ_PORT" 3
nz_env "$NAME" "$PG_PORT" "$RMQ_PORT"
export RabbitMq__Nodes="$NZ_RMQ_CLUSTER_NODES"   # the app connects to any node and fails over
export RabbitMq__QueueType=quorum
export NETZWERK_RABBITMQCTL="$NZ_LOCAL/$NAME-r1/rabbitmqctl"
unset NETZWERK_RABBITMQ_START NETZWERK_RABBITMQ_STOP
export Demo__Enabled=true
export Demo__SeedReferrals=true
export ASPNETCORE_ENVIRONMENT=Development
export PublicBaseUrl="$URL"
export Smtp__PickupDirectory="${Smtp__PickupDirectory:-$NZ_LOCAL/$NAME/mails}"
mkdir -p "$Smtp__PickupDirectory" "$NZ_LOCAL/$NAME/logs"
export MSBUILDDISABLENODEREUSE=1

_nz_log "dotnet build -c Release src/Web/Netzwerk.Web.csproj ..."
dotnet build -c Release -nologo src/Web/Netzwerk.Web.csproj 9>&-

start_app() {  # INDEX
  local port=$((LB_PORT + $1))
  _nz_log "Starte Netzwerk.Web #$1 (http://127.0.0.1:$port, Log .local/$NAME/logs/app$1.log) ..."
  ( cd src/Web && ASPNETCORE_URLS="http://127.0.0.1:$port" exec dotnet bin/Release/net10.0/Netzwerk.Web.dll ) \
    >"$NZ_LOCAL/$NAME/logs/app$1.log" 2>&1 9>&- &
  APP_PIDS+=($!)
}

# The first instance migrates the database and seeds the demo; the others start once it is ready.
start_app 1
nz_wait_ready "http://127.0.0.1:$((LB_PORT + 1))" "${APP_PIDS[0]}"
for (( i = 2; i <= APPS; i++ )); do start_app "$i"; done
for (( i = 2; i <= APPS; i++ )); do nz_wait_ready "http://127.0.0.1:$((LB_PORT + i))" "${APP_PIDS[i - 1]}"; done

# nginx: round robin; a dead instance is skipped (proxy_next_upstream) for idempotent requests and for
# connection refusals, which never reached an app, so a POST is never sent twice.
conf="$NZ_LOCAL/$NAME/nginx.conf"
{
  (( EUID == 0 )) && echo "user root;"   # workers must write the temp paths under .local
  echo "worker_processes 1; daemon off; pid $NZ_LOCAL/$NAME/nginx.pid; error_log $NZ_LOCAL/$NAME/logs/nginx-error.log;"
  echo "events { worker_connections 1024; }"
  echo "http {"
  echo "  access_log off; client_body_temp_path $NZ_LOCAL/$NAME/nginx-body; proxy_temp_path $NZ_LOCAL/$NAME/nginx-proxy;"
  echo "  client_max_body_size 25m;"
  echo "  upstream netzwerk {"
  for (( i = 1; i <= APPS; i++ )); do echo "    server 127.0.0.1:$((LB_PORT + i)) max_fails=1 fail_timeout=5s;"; done
  echo "    keepalive 16;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:$LB_PORT; listen [::1]:$LB_PORT;"
  echo "    location / {"
  echo "      proxy_pass http://netzwerk; proxy_http_version 1.1; proxy_set_header Connection \"\";"
  echo "      proxy_set_header Host \$http_host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
  echo "      proxy_set_header X-Forwarded-Proto \$scheme;"
  echo "      proxy_next_upstream error timeout; proxy_connect_timeout 2s;"
  echo "    }"
  echo "  }"
  echo "}"
} >"$conf"
_nz_log "Starte nginx ($URL) ..."
/usr/sbin/nginx -c "$conf" -e "$NZ_LOCAL/$NAME/logs/nginx-error.log" 9>&- &
NGINX_PID=$!
nz_wait_ready "$URL" "$NGINX_PID" 30 nginx

users="$(curl -s --max-time 10 "$URL/api/demo/users" 2>/dev/null || true)"
{
  echo
  echo "=================================================================="
  echo " Netzwerk-Cluster läuft: $URL (nginx)"
  for (( i = 1; i <= APPS; i++ )); do echo "   Instanz $i: http://127.0.0.1:$((LB_PORT + i)) (pid ${APP_PIDS[i - 1]})"; done
  echo "   RabbitMQ: $NZ_RMQ_CLUSTER_NODES (Quorum-Queues), Management http://127.0.0.1:$((RMQ_PORT + 3))/"
  echo "   PostgreSQL: 127.0.0.1:$PG_PORT"
  echo " Demo-Logins (GET $URL/api/demo/users):"
  if [[ -z "$users" ]]; then echo "   (keine Antwort)"
  elif command -v python3 >/dev/null 2>&1 && python3 -m json.tool <<<"$users" 2>/dev/null; then :
  else printf '%s\n' "$users"; fi
  echo " Beenden mit Ctrl-C."
  echo "=================================================================="
  echo
}

# Runs until Ctrl-C/TERM or until an instance or nginx ends.
set +e
wait -n "${APP_PIDS[@]}" "$NGINX_PID"
rc=$?
set -e
_nz_log "Ein Prozess des Clusters hat sich beendet (Exit-Code $rc); alles wird gestoppt."
exit "$rc"
