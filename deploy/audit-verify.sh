#!/usr/bin/env bash
# Prüft die Hash-Kette des Zugriffsprotokolls (platform.audit_entries) und meldet den ersten defekten Eintrag.
#   deploy/audit-verify.sh                 (Datenbank von deploy/run.sh: .local/run, Port 25432)
#   ConnectionStrings__Netzwerk=... deploy/audit-verify.sh   (beliebige Datenbank, z. B. Produktion)
# Exit-Code: 0 = Kette unversehrt, 2 = Kette unterbrochen (Eintrag wird genannt), 1 = Prüfung nicht möglich.
# Dieselbe Prüfung wie GET /api/audit/verify (Rolle Datenschutz): die App im CLI-Modus `audit-verify`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

if [[ -z "${ConnectionStrings__Netzwerk:-}" ]]; then
  # The servers of deploy/run.sh; started if they are not running (the data stays in .local/run).
  nz_start_postgres run 25432
  export ConnectionStrings__Netzwerk="Host=127.0.0.1;Port=25432;Username=netzwerk;Password=netzwerk;Database=netzwerk"
fi

dll=src/Web/bin/Release/net10.0/Netzwerk.Web.dll
if [[ ! -f "$dll" ]]; then
  _nz_log "dotnet build -c Release src/Web/Netzwerk.Web.csproj ..."
  MSBUILDDISABLENODEREUSE=1 dotnet build -c Release -nologo -v q src/Web/Netzwerk.Web.csproj >&2
fi
cd src/Web
exec dotnet bin/Release/net10.0/Netzwerk.Web.dll audit-verify
