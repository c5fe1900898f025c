#!/usr/bin/env bash
# `make test`: installs what is missing, lints, then runs every test (addons, cross-addon flows,
# simulator, browser tours) against a throwaway PostgreSQL cluster and database with all DDCPTS
# addons installed with demo data. Exits non-zero on any failure, error or skipped test.
# Extra arguments go to pytest (e.g. `make test ARGS="addons/ddcpts_base -k webhook"`).
source "$(dirname "$0")/common.sh"

ensure_setup
"$ROOT/scripts/lint.sh"

throwaway_stack test
DB=ddcpts_test
ODOO_ARGS=(-c "$ROOT/config/test.conf" --addons-path="$ADDONS_PATH" --data-dir="$WORK/data" "${DB_ARGS[@]}")
# DDCPTS_TEST_MODULES narrows what is installed while working on one addon (with ARGS narrowing pytest)
MODULES="${DDCPTS_TEST_MODULES:-$ALL_MODULES}"
log "installing $MODULES with demo data in a fresh database"
odoo_cmd "${ODOO_ARGS[@]}" -d "$DB" -i "$MODULES" --stop-after-init

cd "$ROOT"
PYTEST_ARGS=("$@")
[ ${#PYTEST_ARGS[@]} -eq 0 ] && PYTEST_ARGS=(addons tests sandbox)
log "running the tests"
"$PYTHON" -m pytest \
  --odoo-config="$ROOT/config/test.conf" --odoo-database="$DB" --odoo-http \
  --odoo-addons-path="$ADDONS_PATH" \
  --odoo-extra="data-dir=$WORK/data" --odoo-extra="http-port=$(free_port)" \
  $(printf -- '--odoo-extra=%s ' "${DB_ARGS[@]#--}") \
  "${PYTEST_ARGS[@]}"
