#!/usr/bin/env bash
# `make test`: installs what is missing, lints, then runs every test (addons, cross-addon flows,
# simulator, browser tours) against a throwaway PostgreSQL cluster and database with all DDCPTS
# addons installed with demo data. Exits non-zero on any failure, error or skipped test.
# Extra arguments go to pytest (e.g. `make test ARGS="addons/ddcpts_base -k webhook"`).
source "$(dirname "$0")/common.sh"

ensure_setup
"$ROOT/scripts/lint.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ddcpts-test.XXXXXX")"
[ "$(id -u)" = 0 ] && chmod 755 "$WORK"
cleanup() {
  [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null
  pg_stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT

pg_start "$WORK/pg" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
sandbox_start "$(free_port)" "$WORK/sandbox.log"
export DDCPTS_SANDBOX_URL="$SANDBOX_URL"
export DDCPTS_ENCRYPTION_KEY="$(encryption_key)"

DB=ddcpts_test
# tests/addons holds test-only fixture addons (fake provider, callback routes), installed here only
ADDONS_PATH="$(odoo_addons_path "$ROOT/tests/addons")"
ODOO_ARGS=(-c "$ROOT/config/test.conf" --addons-path="$ADDONS_PATH" --data-dir="$WORK/data" "${DB_ARGS[@]}")
MODULES="$(addon_names "$ROOT/addons" "$ROOT/tests/addons")"
log "installing $MODULES with demo data in a fresh database"
odoo_cmd "${ODOO_ARGS[@]}" -d "$DB" -i "$MODULES" --stop-after-init

cd "$ROOT"
PYTEST_ARGS=("$@")
[ ${#PYTEST_ARGS[@]} -eq 0 ] && PYTEST_ARGS=(addons tests sandbox)
log "running the tests"
"$PYTHON" -m pytest \
  --odoo-config="$ROOT/config/test.conf" --odoo-database="$DB" --odoo-http \
  --odoo-addons-path="$ADDONS_PATH" \
  --odoo-extra="data-dir=$WORK/data" \
  $(printf -- '--odoo-extra=%s ' "${DB_ARGS[@]#--}") \
  "${PYTEST_ARGS[@]}"
