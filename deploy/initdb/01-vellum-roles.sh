#!/usr/bin/env bash
# Creates Vellum's two roles (see sql/roles.sql) in $POSTGRES_DB. Run by the postgres image on first start (mounted
# at /docker-entrypoint-initdb.d) and by scripts/dev-postgres. Passwords: VELLUM_MIGRATOR_PASSWORD and
# VELLUM_APP_PASSWORD, or files named by VELLUM_MIGRATOR_PASSWORD_FILE and VELLUM_APP_PASSWORD_FILE (Docker secrets).
set -euo pipefail

secret() {
  local name="$1" file_var="$1_FILE"
  if [ -n "${!file_var:-}" ]; then
    tr -d '\r\n' < "${!file_var}"
  elif [ -n "${!name:-}" ]; then
    printf '%s' "${!name}"
  else
    echo "01-vellum-roles.sh: set $name or ${name}_FILE" >&2
    exit 1
  fi
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
psql -v ON_ERROR_STOP=1 -q --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-vellum}" \
  -v db="${POSTGRES_DB:-vellum}" \
  -v migrator_password="$(secret VELLUM_MIGRATOR_PASSWORD)" \
  -v app_password="$(secret VELLUM_APP_PASSWORD)" \
  -f "$here/sql/roles.sql"
