# shellcheck shell=bash
# Netzwerk -- helper functions for local servers (PostgreSQL + RabbitMQ) without systemd/Docker.
#
#   source deploy/lib.sh
#   nz_install_prereqs [--browser] [--cluster] # apt-get install what is missing (log: .local/logs/apt.log)
#   nz_start_postgres NAME PORT           # private cluster in .local/NAME/pg, 127.0.0.1:PORT
#   nz_start_rabbitmq NAME PORT           # private broker in .local/NAME/rabbitmq, AMQP PORT,
#                                         #   dist PORT+1, epmd PORT+2, management PORT+3
#   nz_env NAME PGPORT RMQPORT            # export ConnectionStrings__Netzwerk, RabbitMq__*, NETZWERK_*
#   nz_stop NAME                          # stop both servers of NAME (and their epmd)
#   nz_clean NAME                         # nz_stop + delete .local/NAME (all data)
#   nz_lock NAME [--wait|--nowait]        # serialise scripts using the same NAME (fd 9)
#   nz_start_rabbitmq_cluster NAME PORT [N] # N brokers NAME-r1..rN clustered (AMQP PORT, PORT+100, …)
#   nz_stop_rabbitmq_cluster NAME [N]
#   nz_wait_ready URL PID [SECONDS] [WHAT]  # until URL/health/ready is 200 (abort if PID ends first)
#
# External servers: if ConnectionStrings__Netzwerk is already set (and not by nz_env), no
# PostgreSQL is started; if RabbitMq__Host is already set (and not by nz_env), no RabbitMQ.
#
# All functions are `set -euo pipefail` friendly. Fatal problems print a message and exit 1
# (in an interactive shell they return 1 instead).

NZ_REPO="${NZ_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
NZ_LOCAL="${NZ_LOCAL:-$NZ_REPO/.local}"
NZ_LIB="$NZ_REPO/deploy/lib.sh"
NZ_RABBITMQ_HOME="${NZ_RABBITMQ_HOME:-/usr/lib/rabbitmq}"
NZ_DB_EXTENSIONS=(pg_trgm unaccent cube earthdistance fuzzystrmatch btree_gin)

# --------------------------------------------------------------------------- small helpers

_nz_log() { printf '[nz] %s\n' "$*" >&2; }

# Print an error; exit 1 (return 1 in an interactive shell). Use as: _nz_abort "..."; return 1
_nz_abort() {
  printf '[nz] FEHLER: %s\n' "$*" >&2
  [[ $- == *i* ]] && return 1
  exit 1
}

_nz_check_name() {
  [[ "${1:-}" =~ ^[A-Za-z0-9_-]+$ ]] || { _nz_abort "invalid NAME '${1:-}' (allowed: A-Z a-z 0-9 _ -)"; return 1; }
}

# The scripts' ports (25xxx run, 26xxx test, 27xxx bench) lie below Linux's ephemeral range
# (32768-60999): a client retrying a stopped broker on a port inside that range can be handed the
# very port as its own source port (a TCP self-connect), and the TIME-WAIT socket then keeps the
# broker from binding it again for a minute.
_nz_check_port() {
  # shellcheck disable=SC2015
  [[ "${1:-}" =~ ^[0-9]+$ ]] && (( $1 >= 1024 && $1 <= 65500 )) \
    || { _nz_abort "invalid port '${1:-}' (1024..65500)"; return 1; }
}

# 0 if something accepts TCP connections on PORT (127.0.0.1, or the given host)
_nz_port_busy() {
  timeout 3 bash -c "exec 3<>/dev/tcp/${2:-127.0.0.1}/$1" 2>/dev/null
}

# Human-readable description of who listens on PORT (best effort).
_nz_port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed 's/^/      /' || true
  fi
}

_nz_pid_alive() { [[ -n "${1:-}" && "$1" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null; }

# PIDs of processes whose environment contains exactly KEY=VALUE (scans /proc, no procps needed)
_nz_pids_with_env() {
  local kv="$1" f p
  for f in /proc/[0-9]*/environ; do
    p="${f#/proc/}"; p="${p%/environ}"
    [[ "$p" == "$$" || "$p" == "${BASHPID:-}" ]] && continue
    grep -qzxF -- "$kv" "$f" 2>/dev/null && printf '%s\n' "$p"
  done
  return 0
}

_nz_comm() { cat "/proc/$1/comm" 2>/dev/null || true; }

# Terminate the given PIDs: TERM, wait up to $NZ_KILL_GRACE s (default 10), then KILL.
_nz_kill_pids() {
  local pids=() p i
  for p in "$@"; do _nz_pid_alive "$p" && pids+=("$p"); done
  (( ${#pids[@]} )) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for (( i = 0; i < ${NZ_KILL_GRACE:-10} * 10; i++ )); do
    local left=0
    for p in "${pids[@]}"; do _nz_pid_alive "$p" && left=1; done
    (( left )) || return 0
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.2
}

_nz_mkdir_shared() {  # mkdir -p + world-traversable (postgres must reach its data dir)
  mkdir -p "$@"
  chmod 755 "$@"
}

# --------------------------------------------------------------------------- prerequisites

_nz_pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# nz_install_prereqs [--browser] [--cluster]
nz_install_prereqs() {
  local browser=0 cluster=0 arg
  for arg in "$@"; do
    case "$arg" in
      --browser) browser=1 ;;
      --cluster) cluster=1 ;;
      *) _nz_abort "nz_install_prereqs: unknown option '$arg'"; return 1 ;;
    esac
  done
  # curl: health checks in run.sh; ca-certificates: NuGet/npm over https.
  local wanted=(postgresql postgresql-contrib rabbitmq-server curl ca-certificates)
  # fonts-liberation: without any font package headless Chromium renders no text glyphs.
  # python3-aiosmtpd: a real SMTP server for the partner-link mail tests.
  (( browser )) && wanted+=(chromium fonts-liberation python3-aiosmtpd)
  # nginx-light: the load balancer in front of the app instances of deploy/cluster.sh.
  (( cluster )) && wanted+=(nginx-light python3-aiosmtpd)
  local missing=() p
  for p in "${wanted[@]}"; do _nz_pkg_installed "$p" || missing+=("$p"); done
  (( ${#missing[@]} == 0 )) && return 0

  mkdir -p "$NZ_LOCAL/logs"
  local log="$NZ_LOCAL/logs/apt.log"
  _nz_log "Installiere ${missing[*]} (apt-get, Log: $log) ..."
  local sudo=()
  (( EUID == 0 )) || sudo=(sudo)
  local opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  {
    printf '\n===== %s: apt-get install %s\n' "$(date '+%F %T')" "${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" update \
      && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install -y \
           --no-install-recommends "${missing[@]}"
  } >>"$log" 2>&1 </dev/null || {
    tail -n 40 "$log" >&2
    _nz_abort "apt-get install ${missing[*]} ist fehlgeschlagen (vollständiges Log: $log)"; return 1
  }
  _nz_log "Installiert: ${missing[*]}"
}

# --------------------------------------------------------------------------- PostgreSQL

# _nz_pg_bindir [MAJOR] -> newest (or the given major's) /usr/lib/postgresql/*/bin
_nz_pg_bindir() {
  local want="${1:-}" d best=""
  if [[ -n "$want" ]]; then
    [[ -x "/usr/lib/postgresql/$want/bin/pg_ctl" ]] && { printf '%s\n' "/usr/lib/postgresql/$want/bin"; return 0; }
    return 1
  fi
  while IFS= read -r d; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]] && best="$d"
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  [[ -n "$best" ]] || return 1
  printf '%s\n' "$best"
}

# Run a command as the postgres OS user (postgres refuses to run as root).
_nz_as_pg() {
  if (( EUID == 0 )); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

_nz_pg_external() {
  [[ -n "${ConnectionStrings__Netzwerk:-}" && "${ConnectionStrings__Netzwerk}" != "${NZ_MANAGED_PG:-}" ]]
}

_nz_pg_dir()  { printf '%s\n' "$NZ_LOCAL/$1/pg"; }

# Unix socket directory: inside .local unless that path is too long for sockaddr_un.
_nz_pg_sockdir() {
  local d; d="$(_nz_pg_dir "$1")/run"
  if (( ${#d} > 80 )); then
    d="/tmp/nz-pg-$(printf '%s' "$d" | cksum | cut -d' ' -f1)"
  fi
  printf '%s\n' "$d"
}

_nz_pg_is_running() {  # NAME BINDIR
  local data; data="$(_nz_pg_dir "$1")/data"
  [[ -f "$data/PG_VERSION" ]] || return 1
  _nz_as_pg "$2/pg_ctl" status -D "$data" >/dev/null 2>&1
}

# nz_start_postgres NAME PORT
nz_start_postgres() {
  local name="${1:-}" port="${2:-}"
  _nz_check_name "$name" || return 1
  _nz_check_port "$port" || return 1
  if _nz_pg_external; then
    _nz_log "ConnectionStrings__Netzwerk ist gesetzt -> externe PostgreSQL, kein lokaler Start."
    return 0
  fi
  _nz_pg_start "$name" "$port"
}

_nz_pg_start() {
  local name="$1" port="$2"
  local dir data sock log bindir major
  dir="$(_nz_pg_dir "$name")"; data="$dir/data"; sock="$(_nz_pg_sockdir "$name")"; log="$dir/postgres.log"

  if [[ -f "$data/PG_VERSION" ]]; then
    major="$(cat "$data/PG_VERSION")"
    bindir="$(_nz_pg_bindir "$major")" || {
      _nz_abort "Cluster $data wurde mit PostgreSQL $major angelegt, diese Version ist nicht installiert. Löschen mit: rm -rf '$dir'"; return 1; }
  else
    bindir="$(_nz_pg_bindir)" || {
      _nz_abort "Keine PostgreSQL-Binaries unter /usr/lib/postgresql/*/bin (nz_install_prereqs ausführen)"; return 1; }
  fi

  if _nz_pg_is_running "$name" "$bindir"; then
    local running_port
    running_port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)"
    if [[ "$running_port" != "$port" ]]; then
      _nz_abort "PostgreSQL '$name' läuft bereits auf Port $running_port (gewünscht: $port). Erst 'nz_stop $name'."; return 1
    fi
    _nz_log "PostgreSQL '$name' läuft bereits auf 127.0.0.1:$port (wiederverwendet)."
  else
    if _nz_port_busy "$port"; then
      _nz_abort "Port $port ist bereits belegt (nicht von PostgreSQL '$name' dieses Checkouts). Prozess beenden oder anderen Port wählen.
$(_nz_port_owner "$port")"; return 1
    fi
    if (( EUID == 0 )) && ! id postgres >/dev/null 2>&1; then
      _nz_abort "OS-Benutzer 'postgres' fehlt (Paket postgresql installieren: nz_install_prereqs)"; return 1
    fi
    _nz_mkdir_shared "$NZ_LOCAL" "$NZ_LOCAL/$name"
    mkdir -p "$dir" "$sock"
    touch "$log"
    (( EUID == 0 )) && chown -R postgres:postgres "$dir" "$sock"
    chmod 700 "$dir" "$sock"
    if ! _nz_as_pg test -w "$dir"; then
      _nz_abort "Benutzer postgres kann $dir nicht erreichen (liegt der Checkout unter einem privaten Verzeichnis wie /root?)"; return 1
    fi

    if [[ ! -f "$data/PG_VERSION" ]]; then
      rm -rf "$data"
      _nz_log "initdb $data ($bindir)"
      _nz_as_pg "$bindir/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
          --auth-local=trust --auth-host=scram-sha-256 >>"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; _nz_abort "initdb fehlgeschlagen (Log: $log)"; return 1; }
      printf "\n# Netzwerk: local settings (rewritten on every start)\ninclude_if_exists = 'netzwerk.conf'\n" \
        | _nz_as_pg tee -a "$data/postgresql.conf" >/dev/null
    fi
    # Rewritten on every start so a changed port/socket dir is picked up.
    _nz_as_pg tee "$data/netzwerk.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
fsync = on
shared_buffers = 1GB
max_connections = 300
EOF
    _nz_log "Starte PostgreSQL '$name' auf 127.0.0.1:$port ..."
    # NZ_PG_INSTANCE marks every process of this cluster (nz_stop sweeps leftovers by it).
    if ! _nz_as_pg env NZ_PG_INSTANCE="$dir" "$bindir/pg_ctl" start -w -t 120 -s -D "$data" -l "$log" 9>&-; then
      tail -n 30 "$log" >&2
      _nz_abort "PostgreSQL '$name' startet nicht (Log: $log)"; return 1
    fi
  fi
  head -n 1 "$data/postmaster.pid" >"$NZ_LOCAL/$name/postgres.pid" 2>/dev/null || true

  # Role, database and extensions (idempotent). Extensions go into template1 first so that
  # every database created later (the netzwerk DB, test databases) has them.
  local psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres)
  local ext_sql="" e
  for e in "${NZ_DB_EXTENSIONS[@]}"; do ext_sql+="CREATE EXTENSION IF NOT EXISTS $e;"$'\n'; done
  {
    _nz_as_pg "${psql[@]}" -d postgres <<'EOF'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'netzwerk') THEN
    CREATE ROLE netzwerk LOGIN CREATEDB NOSUPERUSER PASSWORD 'netzwerk';
  ELSE
    ALTER ROLE netzwerk LOGIN CREATEDB NOSUPERUSER PASSWORD 'netzwerk';
  END IF;
END
$$;
EOF
    _nz_as_pg "${psql[@]}" -d template1 <<<"$ext_sql"
    _nz_as_pg "${psql[@]}" -d postgres <<'EOF'
SELECT 'CREATE DATABASE netzwerk OWNER netzwerk'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'netzwerk') \gexec
EOF
    _nz_as_pg "${psql[@]}" -d netzwerk <<<"$ext_sql"
  } >>"$log" 2>&1 || { tail -n 20 "$log" >&2; _nz_abort "Einrichten von Rolle/Datenbank/Extensions fehlgeschlagen (Log: $log)"; return 1; }
  _nz_log "PostgreSQL '$name' bereit: Host=127.0.0.1 (für die App: Unix-Socket $sock) Port=$port Database=netzwerk User=netzwerk"
}

_nz_pg_stop() {
  local name="$1" dir data bindir major
  dir="$(_nz_pg_dir "$name")"; data="$dir/data"
  if [[ -f "$data/PG_VERSION" ]]; then
    major="$(cat "$data/PG_VERSION")"
    if bindir="$(_nz_pg_bindir "$major")" && _nz_pg_is_running "$name" "$bindir"; then
      _nz_log "Stoppe PostgreSQL '$name' ..."
      _nz_as_pg "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 60 -s >/dev/null 2>&1 \
        || _nz_as_pg "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 30 -s >/dev/null 2>&1 || true
    fi
  fi
  # Anything of this cluster still alive (e.g. after a crashed postmaster): the postmaster
  # carries NZ_PG_INSTANCE; its children overwrite their environment (process titles) but
  # keep the data directory as working directory.
  local f p pids=()
  for f in /proc/[0-9]*/cwd; do
    [[ "$(readlink "$f" 2>/dev/null || true)" == "$data" ]] || continue
    p="${f#/proc/}"; pids+=("${p%/cwd}")
  done
  # shellcheck disable=SC2046
  _nz_kill_pids "${pids[@]}" $(_nz_pids_with_env "NZ_PG_INSTANCE=$dir")
  rm -f "$NZ_LOCAL/$name/postgres.pid"
}

# _nz_pg_restart NAME [stop|start] -- stop like a crash (immediate: no checkpoint, every connection cut) and start
# again; with stop or start only that half (a test looks at the app while the database is away).
_nz_pg_restart() {
  local name="$1" mode="${2:-}" dir data bindir
  dir="$(_nz_pg_dir "$name")"; data="$dir/data"
  bindir="$(_nz_pg_bindir "$(cat "$data/PG_VERSION")")" || { _nz_abort "PostgreSQL-Binärdateien fehlen"; return 1; }
  if [[ "$mode" != start ]]; then
    _nz_log "PostgreSQL '$name': Stopp (immediate) ..."
    _nz_as_pg "$bindir/pg_ctl" stop -D "$data" -m immediate -w -t 30 -s >/dev/null 2>&1 || true
  fi
  [[ "$mode" == stop ]] && return 0
  _nz_as_pg env NZ_PG_INSTANCE="$dir" "$bindir/pg_ctl" start -w -t 120 -s -D "$data" -l "$dir/postgres.log" 9>&- \
    || { _nz_abort "PostgreSQL '$name' startet nach dem Neustart nicht"; return 1; }
  head -n 1 "$data/postmaster.pid" >"$NZ_LOCAL/$name/postgres.pid" 2>/dev/null || true
}

# --------------------------------------------------------------------------- RabbitMQ

_nz_rmq_external() {
  [[ -n "${RabbitMq__Host:-}" && "${RabbitMq__Host}:${RabbitMq__Port:-}" != "${NZ_MANAGED_RMQ:-}" ]]
}

_nz_rmq_dir() { printf '%s\n' "$NZ_LOCAL/$1/rabbitmq"; }

# Environment of the broker and of rabbitmqctl for NAME/PORT, as shell `export` lines.
_nz_rmq_env() {
  local name="$1" port="$2" d
  d="$(_nz_rmq_dir "$name")"
  local -a kv=(
    "RABBITMQ_NODENAME=nz-$name@localhost"
    "RABBITMQ_MNESIA_BASE=$d/mnesia"
    "RABBITMQ_LOG_BASE=$d/log"
    "RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf"
    "RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config"
    "RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins"
    "RABBITMQ_CONF_ENV_FILE=$d/rabbitmq-env.conf"
    "RABBITMQ_PID_FILE=$NZ_LOCAL/$name/rabbitmq.pid"
    "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1"
    "RABBITMQ_NODE_PORT=$port"
    "RABBITMQ_DIST_PORT=$((port + 1))"
    "ERL_EPMD_PORT=${NZ_RMQ_EPMD_PORT:-$((port + 2))}"
    "ERL_EPMD_ADDRESS=127.0.0.1"
    "RABBITMQ_CTL_DIST_PORT_MIN=$((port + 10))"
    "RABBITMQ_CTL_DIST_PORT_MAX=$((port + 20))"
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
    "HOME=$d/home"
    "LANG=C.UTF-8"
    "LC_ALL=C.UTF-8"
    "NZ_RMQ_INSTANCE=$d"
  )
  local x
  for x in "${kv[@]}"; do printf 'export %s=%q\n' "${x%%=*}" "${x#*=}"; done
}

# Write .local/NAME/{rabbitmqctl,rabbitmq-start,rabbitmq-stop}
_nz_rmq_write_wrappers() {
  local name="$1" port="$2" base="$NZ_LOCAL/$1"
  mkdir -p "$base"
  {
    printf '#!/usr/bin/env bash\n# rabbitmqctl for the Netzwerk broker %s (generated by deploy/lib.sh)\n' "$name"
    _nz_rmq_env "$name" "$port"
    printf 'exec %q "$@"\n' "$NZ_RABBITMQ_HOME/bin/rabbitmqctl"
  } >"$base/rabbitmqctl.tmp"
  mv -f "$base/rabbitmqctl.tmp" "$base/rabbitmqctl"
  cat >"$base/rabbitmq-start" <<EOF
#!/usr/bin/env bash
# Start (or reuse) the Netzwerk broker $name on port $port and wait until it is ready.
set -euo pipefail
export NZ_REPO=$(printf '%q' "$NZ_REPO") NZ_LOCAL=$(printf '%q' "$NZ_LOCAL")
$(_nz_rmq_cluster_exports)
source $(printf '%q' "$NZ_LIB")
_nz_rmq_start $(printf '%q %q' "$name" "$port")
EOF
  cat >"$base/rabbitmq-stop" <<EOF
#!/usr/bin/env bash
# Stop the Netzwerk broker $name (graceful). With --kill: SIGKILL the Erlang VM (crash simulation).
set -euo pipefail
export NZ_REPO=$(printf '%q' "$NZ_REPO") NZ_LOCAL=$(printf '%q' "$NZ_LOCAL")
$(_nz_rmq_cluster_exports)
source $(printf '%q' "$NZ_LIB")
_nz_rmq_stop $(printf '%q' "$name") "\$@"
EOF
  chmod 755 "$base/rabbitmqctl" "$base/rabbitmq-start" "$base/rabbitmq-stop"
}

_nz_rmq_ctl() {  # NAME ARGS... (wrapper must exist)
  local name="$1"; shift
  "$NZ_LOCAL/$name/rabbitmqctl" "$@" 9>&-
}

# PID of the broker's Erlang VM if it is running (pid file written by the broker), else return 1
_nz_rmq_beam_pid() {
  local name="$1" pid
  pid="$(cat "$NZ_LOCAL/$name/rabbitmq.pid" 2>/dev/null || true)"
  _nz_pid_alive "$pid" || return 1
  grep -qzxF -- "NZ_RMQ_INSTANCE=$(_nz_rmq_dir "$name")" "/proc/$pid/environ" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# PID of any Erlang VM of the broker, also while it is still booting (no pid file yet)
_nz_rmq_any_beam_pid() {
  local name="$1" p
  _nz_rmq_beam_pid "$name" && return 0
  for p in $(_nz_pids_with_env "NZ_RMQ_INSTANCE=$(_nz_rmq_dir "$name")"); do
    [[ "$(_nz_comm "$p")" == beam* ]] && { printf '%s\n' "$p"; return 0; }
  done
  return 1
}

# Kill every process of the broker NAME (optionally keeping its epmd)
_nz_rmq_kill_all() {
  local name="$1" keep_epmd="${2:-}" p pids=()
  for p in $(_nz_pids_with_env "NZ_RMQ_INSTANCE=$(_nz_rmq_dir "$name")"); do
    [[ -n "$keep_epmd" && "$(_nz_comm "$p")" == epmd ]] && continue
    pids+=("$p")
  done
  (( ${#pids[@]} == 0 )) || _nz_kill_pids "${pids[@]}"
}

# PID of the epmd serving ERL_EPMD_PORT=PORT that belongs to broker NAME
_nz_rmq_epmd_pid() {
  local name="$1" port="$2" p
  for p in $(_nz_pids_with_env "NZ_RMQ_INSTANCE=$(_nz_rmq_dir "$name")"); do
    [[ "$(_nz_comm "$p")" == epmd ]] && grep -qzxF -- "ERL_EPMD_PORT=$port" "/proc/$p/environ" 2>/dev/null \
      && { printf '%s\n' "$p"; return 0; }
  done
  return 1
}

# nz_start_rabbitmq NAME PORT
nz_start_rabbitmq() {
  local name="${1:-}" port="${2:-}"
  _nz_check_name "$name" || return 1
  _nz_check_port "$port" || return 1
  if _nz_rmq_external; then
    _nz_log "RabbitMq__Host ist gesetzt -> externer RabbitMQ, kein lokaler Start."
    return 0
  fi
  _nz_rmq_start "$name" "$port"
}

_nz_rmq_start() {
  local name="$1" port="$2"
  local d base log beam
  d="$(_nz_rmq_dir "$name")"; base="$NZ_LOCAL/$name"; log="$d/log/console.log"
  [[ -x "$NZ_RABBITMQ_HOME/bin/rabbitmq-server" ]] \
    || { _nz_abort "$NZ_RABBITMQ_HOME/bin/rabbitmq-server fehlt (nz_install_prereqs ausführen)"; return 1; }

  _nz_mkdir_shared "$NZ_LOCAL" "$base"
  mkdir -p "$d/mnesia" "$d/log" "$d/home"
  chmod 700 "$d/home"
  if [[ -n "${NZ_RMQ_COOKIE_FILE:-}" ]]; then  # the nodes of one cluster share one Erlang cookie
    rm -f "$d/home/.erlang.cookie"
    cp "$NZ_RMQ_COOKIE_FILE" "$d/home/.erlang.cookie"
    chmod 400 "$d/home/.erlang.cookie"
  fi
  _nz_rmq_write_wrappers "$name" "$port"

  if beam="$(_nz_rmq_beam_pid "$name")"; then
    local running_port
    running_port="$(tr '\0' '\n' <"/proc/$beam/environ" | sed -n 's/^RABBITMQ_NODE_PORT=//p')"
    if [[ "$running_port" != "$port" ]]; then
      _nz_abort "RabbitMQ '$name' läuft bereits auf Port $running_port (gewünscht: $port). Erst 'nz_stop $name'."; return 1
    fi
    _nz_log "RabbitMQ '$name' läuft bereits auf 127.0.0.1:$port (wiederverwendet)."
    _nz_rmq_ctl "$name" -q await_startup --timeout 60 >>"$log" 2>&1 \
      || { _nz_abort "RabbitMQ '$name' läuft, ist aber nicht bereit (stop_app?). 'nz_stop $name' und neu starten."; return 1; }
  else
    # Leftovers of an earlier broker of this instance (launcher, half-started VM) -- not epmd.
    _nz_rmq_kill_all "$name" keep-epmd

    local what pt
    for what in "AMQP:$port" "Erlang-Distribution:$((port + 1))" "epmd:$((port + 2))" "Management:$((port + 3))"; do
      pt="${what#*:}"
      if [[ "${what%%:*}" == epmd ]] && _nz_rmq_epmd_pid "$name" "$pt" >/dev/null; then
        continue  # our own epmd from an earlier start: fine
      fi
      if _nz_port_busy "$pt"; then
        _nz_abort "Port $pt (${what%%:*}) für RabbitMQ '$name' ist bereits belegt (nicht von diesem Checkout). Prozess beenden oder anderen Port wählen.
$(_nz_port_owner "$pt")"; return 1
      fi
    done

    cat >"$d/rabbitmq.conf" <<EOF
# generated by deploy/lib.sh
listeners.tcp.default = 127.0.0.1:$port
management.tcp.ip = 127.0.0.1
management.tcp.port = $((port + 3))
log.file.level = info
log.console = false
disk_free_limit.absolute = 50MB
EOF
    printf '[rabbitmq_management].\n' >"$d/enabled_plugins"
    : >"$d/rabbitmq-env.conf"
    rm -f "$base/rabbitmq.pid" "$base/rabbitmq-launcher.pid"

    _nz_log "Starte RabbitMQ '$name' auf 127.0.0.1:$port (Management $((port + 3))) ..."
    printf '\n===== %s start\n' "$(date '+%F %T')" >>"$log"
    (
      eval "$(_nz_rmq_env "$name" "$port")"
      cd "$d" || exit 1
      # new session: Ctrl-C in the calling terminal must not reach the broker
      # shellcheck disable=SC2016
      exec setsid bash -c 'echo $$ >"$1"; exec "$2"' nz-rabbitmq \
        "$base/rabbitmq-launcher.pid" "$NZ_RABBITMQ_HOME/bin/rabbitmq-server"
    ) >>"$log" 2>&1 </dev/null 9>&- &

    # Wait for the VM (pid file), then for the rabbit application.
    local deadline=$((SECONDS + ${NZ_RABBITMQ_START_TIMEOUT:-180})) launcher=""
    while :; do
      [[ -z "$launcher" ]] && launcher="$(cat "$base/rabbitmq-launcher.pid" 2>/dev/null || true)"
      if beam="$(_nz_rmq_beam_pid "$name")"; then
        break
      fi
      if [[ -n "$launcher" ]] && ! _nz_pid_alive "$launcher"; then
        tail -n 30 "$log" >&2; _nz_rmq_kill_all "$name"
        _nz_abort "RabbitMQ '$name' ist beim Start beendet worden (Logs: $d/log)"; return 1
      fi
      if (( SECONDS >= deadline )); then
        tail -n 30 "$log" >&2; _nz_rmq_kill_all "$name"
        _nz_abort "RabbitMQ '$name' startet nicht (Timeout, Logs: $d/log)"; return 1
      fi
      sleep 0.3
    done
    local left=$((deadline - SECONDS)); (( left < 10 )) && left=10
    if ! _nz_rmq_ctl "$name" -q await_startup --timeout "$left" >>"$log" 2>&1; then
      tail -n 30 "$log" >&2; _nz_rmq_kill_all "$name"
      _nz_abort "RabbitMQ '$name' wurde nicht bereit (Logs: $d/log)"; return 1
    fi
  fi

  # epmd pid (started by the VM for ERL_EPMD_PORT=PORT+2)
  local epmd
  if epmd="$(_nz_rmq_epmd_pid "$name" "$((port + 2))")"; then
    printf '%s\n' "$epmd" >"$base/epmd.pid"
  fi

  # User netzwerk/netzwerk, administrator, all permissions on "/". The marker lives inside the
  # mnesia dir, so it disappears together with the broker database.
  local marker="$d/mnesia/.nz-user-netzwerk"
  if [[ ! -f "$marker" ]]; then
    local out
    if ! out="$(_nz_rmq_ctl "$name" -q add_user netzwerk netzwerk 2>&1)"; then
      [[ "$out" == *already_exists* || "$out" == *"already exists"* ]] \
        || { printf '%s\n' "$out" >&2; _nz_abort "rabbitmqctl add_user fehlgeschlagen"; return 1; }
    fi
    { _nz_rmq_ctl "$name" -q set_user_tags netzwerk administrator \
        && _nz_rmq_ctl "$name" -q set_permissions -p / netzwerk '.*' '.*' '.*'; } >>"$log" 2>&1 \
      || { tail -n 10 "$log" >&2; _nz_abort "rabbitmqctl set_user_tags/set_permissions fehlgeschlagen"; return 1; }
    : >"$marker"
  fi

  # Management listener
  local i
  for (( i = 0; i < 300; i++ )); do
    _nz_port_busy "$((port + 3))" && break
    sleep 0.1
  done
  _nz_log "RabbitMQ '$name' bereit: amqp://netzwerk@127.0.0.1:$port, Management http://127.0.0.1:$((port + 3))/"
}

# _nz_rmq_stop NAME [--kill]   (--kill: SIGKILL the VM only, like a crash; epmd stays)
_nz_rmq_stop() {
  local name="$1" mode="${2:-}" d base beam
  d="$(_nz_rmq_dir "$name")"; base="$NZ_LOCAL/$name"
  case "$mode" in ""|--kill) ;; *) _nz_abort "rabbitmq-stop: unknown option '$mode' (only --kill)"; return 1 ;; esac
  [[ -d "$d" ]] || return 0
  if [[ "$mode" == --kill ]]; then
    if beam="$(_nz_rmq_any_beam_pid "$name")"; then
      _nz_log "RabbitMQ '$name': kill -9 $beam"
      kill -KILL "$beam" 2>/dev/null || true
      local i
      for (( i = 0; i < 100; i++ )); do _nz_pid_alive "$beam" || break; sleep 0.1; done
    fi
    return 0
  fi
  if beam="$(_nz_rmq_beam_pid "$name")"; then
    _nz_log "Stoppe RabbitMQ '$name' ..."
    # `rabbitmqctl stop PIDFILE` waits until the VM has exited
    timeout 90 "$base/rabbitmqctl" -q stop "$base/rabbitmq.pid" >/dev/null 2>&1 9>&- || true
    _nz_pid_alive "$beam" && _nz_kill_pids "$beam"
  fi
  # epmd (rabbitmqctl stop leaves it running): by recorded pid, then by search
  local epmd
  epmd="$(cat "$base/epmd.pid" 2>/dev/null || true)"
  if _nz_pid_alive "$epmd" && [[ "$(_nz_comm "$epmd")" == epmd ]]; then
    _nz_kill_pids "$epmd"
  fi
  # everything else of this instance (booting VM, launcher shell, epmd, erl helpers, rabbitmqctl)
  _nz_rmq_kill_all "$name"
  rm -f "$base/rabbitmq.pid" "$base/rabbitmq-launcher.pid" "$base/epmd.pid"
}

# --------------------------------------------------------------------------- RabbitMQ cluster (one machine)

# Lines for the generated wrappers: a node of a cluster keeps the cluster's epmd and cookie when restarted alone.
_nz_rmq_cluster_exports() {
  [[ -n "${NZ_RMQ_EPMD_PORT:-}" ]] && printf 'export NZ_RMQ_EPMD_PORT=%q\n' "$NZ_RMQ_EPMD_PORT"
  [[ -n "${NZ_RMQ_COOKIE_FILE:-}" ]] && printf 'export NZ_RMQ_COOKIE_FILE=%q\n' "$NZ_RMQ_COOKIE_FILE"
  return 0
}

_nz_epmd_bin() {
  command -v epmd 2>/dev/null && return 0
  find /usr/lib/erlang -name epmd -type f -perm -u+x 2>/dev/null | head -n 1 | grep . \
    || { _nz_abort "epmd nicht gefunden (erlang-base fehlt?)"; return 1; }
}

# nz_start_rabbitmq_cluster NAME BASEPORT [N=3]
# N brokers NAME-r1..NAME-rN (node i: AMQP BASEPORT+100*(i-1), management +3), one Erlang cookie, one epmd on
# BASEPORT+5 shared by the nodes so that they find each other, r2..rN joined to r1. Exports
# NZ_RMQ_CLUSTER_NODES="127.0.0.1:p1,127.0.0.1:p2,…" (the app's RabbitMq__Nodes) and the NZ_RMQ_* variables.
nz_start_rabbitmq_cluster() {
  local name="${1:-}" baseport="${2:-}" n="${3:-3}" i
  _nz_check_name "$name" || return 1
  _nz_check_port "$baseport" || return 1
  local dir="$NZ_LOCAL/$name"
  _nz_mkdir_shared "$NZ_LOCAL" "$dir"
  if [[ ! -s "$dir/erlang.cookie" ]]; then
    (umask 077; head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$dir/erlang.cookie")
  fi
  export NZ_RMQ_COOKIE_FILE="$dir/erlang.cookie" NZ_RMQ_EPMD_PORT=$((baseport + 5))

  if ! _nz_port_busy "$NZ_RMQ_EPMD_PORT"; then
    local epmd
    epmd="$(_nz_epmd_bin)" || return 1
    # Marked like a broker process of this cluster, so that nz_stop_rabbitmq_cluster finds it.
    NZ_RMQ_INSTANCE="$dir/epmd" ERL_EPMD_ADDRESS=127.0.0.1 setsid "$epmd" -port "$NZ_RMQ_EPMD_PORT" -daemon \
      </dev/null >/dev/null 2>&1 9>&-
  fi

  # Start the nodes side by side (each takes ~10 s, mostly waiting), then join them to r1.
  local pids=() rc=0 nodes=()
  for (( i = 1; i <= n; i++ )); do
    nodes+=("127.0.0.1:$((baseport + 100 * (i - 1)))")
    _nz_rmq_start "$name-r$i" "$((baseport + 100 * (i - 1)))" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  (( rc == 0 )) || { _nz_abort "RabbitMQ-Cluster '$name': ein Knoten startet nicht"; return 1; }

  local first="nz-$name-r1@localhost" status
  for (( i = 2; i <= n; i++ )); do
    status="$(_nz_rmq_ctl "$name-r$i" -q cluster_status 2>/dev/null || true)"
    [[ "$status" == *"$first"* ]] && continue
    _nz_log "RabbitMQ '$name-r$i' tritt dem Cluster bei ($first) ..."
    { _nz_rmq_ctl "$name-r$i" -q stop_app \
        && _nz_rmq_ctl "$name-r$i" -q join_cluster "$first" \
        && _nz_rmq_ctl "$name-r$i" -q start_app; } >>"$(_nz_rmq_dir "$name-r$i")/log/console.log" 2>&1 \
      || { _nz_abort "RabbitMQ '$name-r$i' konnte dem Cluster nicht beitreten"; return 1; }
  done
  NZ_RMQ_CLUSTER_NODES="$(IFS=,; printf '%s' "${nodes[*]}")"
  export NZ_RMQ_CLUSTER_NODES
  _nz_log "RabbitMQ-Cluster '$name' bereit: $NZ_RMQ_CLUSTER_NODES"
}

# _nz_rmq_cluster_wrapper NAME BASEPORT start|stop -- start prints, one per line: nodes=host:port,…  dirs=…
# management=port,… (the node directories hold each node's rabbitmq-start/-stop/rabbitmqctl).
_nz_rmq_cluster_wrapper() {
  local name="$1" baseport="$2" i dirs="" mgmt=""
  case "${3:-start}" in
    start)
      nz_start_rabbitmq_cluster "$name" "$baseport" 3 >&2
      for i in 1 2 3; do
        dirs+="${dirs:+,}$NZ_LOCAL/$name-r$i"; mgmt+="${mgmt:+,}$((baseport + 100 * (i - 1) + 3))"
      done
      printf 'nodes=%s\ndirs=%s\nmanagement=%s\n' "$NZ_RMQ_CLUSTER_NODES" "$dirs" "$mgmt" ;;
    stop) nz_stop_rabbitmq_cluster "$name" 3 ;;
    *) _nz_abort "rabbitmq-cluster: start oder stop"; return 1 ;;
  esac
}

# nz_stop_rabbitmq_cluster NAME [N=3]
nz_stop_rabbitmq_cluster() {
  local name="${1:-}" n="${2:-3}" i p
  _nz_check_name "$name" || return 1
  for (( i = n; i >= 1; i-- )); do _nz_rmq_stop "$name-r$i" || true; done
  for p in $(_nz_pids_with_env "NZ_RMQ_INSTANCE=$NZ_LOCAL/$name/epmd"); do _nz_kill_pids "$p"; done
  return 0
}

# --------------------------------------------------------------------------- both

# nz_stop NAME
nz_stop() {
  local name="${1:-}"
  _nz_check_name "$name" || return 1
  [[ -d "$NZ_LOCAL/$name" ]] || return 0
  _nz_pg_stop "$name" || true
  _nz_rmq_stop "$name" || true
  # the cluster of the fault tests, if they started one
  [[ -d "$NZ_LOCAL/$name-c-r1" ]] && { nz_stop_rabbitmq_cluster "$name-c" 3 || true; }
  return 0
}

# nz_clean NAME -- stop and delete all local data of NAME
nz_clean() {
  local name="${1:-}"
  nz_stop "$name"
  rm -rf "${NZ_LOCAL:?}/$name" "/tmp/nz-pg-$(printf '%s' "$(_nz_pg_dir "$name")/run" | cksum | cut -d' ' -f1)"
}

# nz_env NAME PGPORT RMQPORT
nz_env() {
  local name="${1:-}" pgport="${2:-}" rmqport="${3:-}"
  _nz_check_name "$name" || return 1
  _nz_check_port "$pgport" || return 1
  _nz_check_port "$rmqport" || return 1

  local bindir
  if bindir="$(_nz_pg_bindir)"; then export NETZWERK_PG_BIN="$bindir"; fi
  if _nz_pg_external; then
    _nz_log "Externe PostgreSQL (ConnectionStrings__Netzwerk bleibt unverändert)."
  else
    # The app talks to its own server over the Unix socket (TCP 127.0.0.1 stays open for tools): on two cores the
    # loopback TCP stack cost measurably more CPU per round trip, and a lifecycle makes dozens of them.
    local sockdir
    sockdir="$(_nz_pg_sockdir "$name")"
    export ConnectionStrings__Netzwerk="Host=$sockdir;Port=$pgport;Username=netzwerk;Password=netzwerk;Database=netzwerk"
    export NZ_MANAGED_PG="$ConnectionStrings__Netzwerk"
    # For fault tests and the chaos benchmark: restart this PostgreSQL like after a crash.
    mkdir -p "$NZ_LOCAL/$name"
    printf '#!/usr/bin/env bash\nset -euo pipefail\nexport NZ_REPO=%q NZ_LOCAL=%q\nsource %q\n_nz_pg_restart %q "$@"\n' \
      "$NZ_REPO" "$NZ_LOCAL" "$NZ_LIB" "$name" >"$NZ_LOCAL/$name/postgres-restart"
    chmod 755 "$NZ_LOCAL/$name/postgres-restart"
    export NETZWERK_PG_RESTART="$NZ_LOCAL/$name/postgres-restart"
  fi

  if _nz_rmq_external; then
    _nz_log "Externer RabbitMQ (RabbitMq__* bleiben unverändert; keine NETZWERK_RABBITMQ_* Wrapper)."
  else
    export RabbitMq__Host=127.0.0.1
    export RabbitMq__Port="$rmqport"
    export RabbitMq__Username=netzwerk
    export RabbitMq__Password=netzwerk
    export RabbitMq__ManagementPort="$((rmqport + 3))"
    export NZ_MANAGED_RMQ="127.0.0.1:$rmqport"
    _nz_rmq_write_wrappers "$name" "$rmqport"
    export NETZWERK_RABBITMQCTL="$NZ_LOCAL/$name/rabbitmqctl"
    export NETZWERK_RABBITMQ_START="$NZ_LOCAL/$name/rabbitmq-start"
    export NETZWERK_RABBITMQ_STOP="$NZ_LOCAL/$name/rabbitmq-stop"
    # For the cluster fault tests: a three-node cluster NAME-c beside the broker (AMQP RMQPORT+300, +400, +500).
    printf '#!/usr/bin/env bash\nset -euo pipefail\nexport NZ_REPO=%q NZ_LOCAL=%q\nsource %q\n_nz_rmq_cluster_wrapper %q %q "$@"\n' \
      "$NZ_REPO" "$NZ_LOCAL" "$NZ_LIB" "$name-c" "$((rmqport + 300))" >"$NZ_LOCAL/$name/rabbitmq-cluster"
    chmod 755 "$NZ_LOCAL/$name/rabbitmq-cluster"
    export NETZWERK_RABBITMQ_CLUSTER="$NZ_LOCAL/$name/rabbitmq-cluster"
  fi
}

# nz_lock NAME [--wait|--nowait] -- exclusive lock .local/NAME.lock on fd 9 for this shell.
# Long-running children must be started with `9>&-` so that they do not inherit it.
nz_lock() {
  local name="${1:-}" mode="${2:---wait}"
  _nz_check_name "$name" || return 1
  _nz_mkdir_shared "$NZ_LOCAL"
  exec 9>>"$NZ_LOCAL/$name.lock"
  flock -n 9 && return 0
  if [[ "$mode" == --nowait ]]; then
    _nz_abort "Ein anderer Lauf mit NAME=$name läuft bereits in diesem Checkout ($NZ_LOCAL/$name.lock)."; return 1
  fi
  _nz_log "Warte auf anderen Lauf mit NAME=$name in diesem Checkout ..."
  flock -w "${NZ_LOCK_TIMEOUT:-3600}" 9 \
    || { _nz_abort "Lock $NZ_LOCAL/$name.lock nicht erhalten (Timeout)."; return 1; }
}

# nz_wait_ready URL PID [SECONDS=180] [WHAT=Netzwerk.Web] -- until URL/health/ready answers 200. Aborts when PID (a
# child of this shell) ends first, with its exit code, or when the time runs out.
nz_wait_ready() {
  local url="$1" pid="$2" limit="${3:-180}" what="${4:-Netzwerk.Web}" code rc
  local deadline=$((SECONDS + limit))
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/health/ready" 2>/dev/null || true)"
    [[ "$code" == 200 ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      set +e; wait "$pid" 2>/dev/null; rc=$?; set -e
      _nz_abort "$what ($url) hat sich beim Start beendet (Exit-Code $rc), siehe Ausgabe oder Log."; return 1
    fi
    (( SECONDS < deadline )) \
      || { _nz_abort "$what nach $limit s nicht bereit ($url/health/ready liefert ${code:-nichts})."; return 1; }
    sleep 0.5
  done
}

# nz_test_summary LOGFILE -- "N passed, N failed, N skipped" from `dotnet test` output, summed
# over all test assemblies. Understands the one-line VSTest summary
# ("Passed!  - Failed: 0, Passed: 5, Skipped: 0, Total: 5 ..."), the block printed with
# console verbosity normal/detailed ("Total tests: 5 / Passed: 5 / Failed: ... / Skipped: ...")
# and the terminal logger line ("Test summary: total: 5, failed: 0, succeeded: 5, skipped: 0").
# Returns 1 (and still prints 0/0/0) when no result was found.
nz_test_summary() {
  sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\r$//' "$1" | awk '
    function num(s, key,   i, rest) {
      i = index(s, key); if (i == 0) return 0
      rest = substr(s, i + length(key)); sub(/^[ \t]*/, "", rest); return rest + 0
    }
    /(Passed|Failed)![ \t]*-[ \t]*Failed:[ \t]*[0-9]+,[ \t]*Passed:[ \t]*[0-9]+,[ \t]*Skipped:[ \t]*[0-9]+/ {
      f1 += num($0, "Failed:"); p1 += num($0, "Passed:"); s1 += num($0, "Skipped:"); n1++; next
    }
    /^[ \t]*Total tests:/                  { n2++; next }
    /^[ \t]*Passed:[ \t]*[0-9]+[ \t]*$/    { p2 += num($0, "Passed:"); next }
    /^[ \t]*Failed:[ \t]*[0-9]+[ \t]*$/    { f2 += num($0, "Failed:"); next }
    /^[ \t]*Skipped:[ \t]*[0-9]+[ \t]*$/   { s2 += num($0, "Skipped:"); next }
    /Test summary:[ \t]*total:[ \t]*[0-9]+/ {
      f3 += num($0, "failed:"); p3 += num($0, "succeeded:"); s3 += num($0, "skipped:"); n3++; next
    }
    END {
      if (n1)      { p = p1; f = f1; s = s1 }
      else if (n2) { p = p2; f = f2; s = s2 }
      else if (n3) { p = p3; f = f3; s = s3 }
      else         { p = 0; f = 0; s = 0 }
      printf "%d passed, %d failed, %d skipped\n", p, f, s
      exit (n1 || n2 || n3) ? 0 : 1
    }'
}

# nz_session NAME PGPORT RMQPORT [--browser]
# For scripts that own a pair of servers for their whole run (test.sh, bench.sh): one run per NAME at a
# time, prerequisites installed, servers started (fresh with NZ_FRESH=1) and always stopped on exit.
nz_session() {
  local name=$1 pg_port=$2 rmq_port=$3 prereq_opt=${4:-}
  NZ_SESSION_NAME=$name
  nz_lock "$name" --wait
  _nz_session_cleaned=0
  trap _nz_session_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  nz_install_prereqs ${prereq_opt:+"$prereq_opt"}
  [[ "${NZ_FRESH:-0}" == 1 ]] && nz_clean "$name"
  nz_start_postgres "$name" "$pg_port"
  nz_start_rabbitmq "$name" "$rmq_port"
  nz_env "$name" "$pg_port" "$rmq_port"
}

# nz_session_end: stop the session's servers now (e.g. so a summary can be the last line), exit code untouched.
nz_session_end() {
  _nz_session_cleaned=1
  trap - EXIT
  trap '' INT TERM   # see _nz_session_cleanup
  nz_stop "$NZ_SESSION_NAME" || true
  trap - INT TERM
}

_nz_session_cleanup() {
  local rc=$?
  (( _nz_session_cleaned )) && return 0
  _nz_session_cleaned=1
  # Signals are ignored, not reset, while the servers stop: a second Ctrl-C (or a TERM sent both to a script and to the
  # `timeout` around it) would otherwise kill the script halfway and leave PostgreSQL and RabbitMQ running.
  trap - EXIT
  trap '' INT TERM
  nz_stop "$NZ_SESSION_NAME" || true
  exit "$rc"
}
