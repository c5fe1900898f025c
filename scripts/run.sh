#!/usr/bin/env bash
# `make run`: set up and start the suite: a PostgreSQL cluster in .local/, a database with every
# DDCPTS addon and demo data (created on the first run, reused afterwards), the provider simulator
# on http://localhost:8070 and Odoo on http://localhost:8069. Ctrl-C stops everything.
# Ports: DDCPTS_HTTP_PORT (8069), DDCPTS_GEVENT_PORT (8072, live chat/bus), DDCPTS_SANDBOX_PORT (8070).
source "$(dirname "$0")/common.sh"

ensure_setup
ensure_wkhtmltopdf  # PDF invoices (with the eTIMS block)
DB="${DDCPTS_DB:-ddcpts}"
HTTP_PORT="${DDCPTS_HTTP_PORT:-8069}"
GEVENT_PORT="${DDCPTS_GEVENT_PORT:-8072}"
SANDBOX_PORT="${DDCPTS_SANDBOX_PORT:-8070}"
PGDATA_DIR="$LOCAL_DIR/pgdata"
KEY_FILE="$LOCAL_DIR/encryption.key"

cleanup() {
  [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null
  pg_stop "$PGDATA_DIR"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] && chmod 755 "$LOCAL_DIR"
pg_start "$PGDATA_DIR"
[ -s "$KEY_FILE" ] || { encryption_key > "$KEY_FILE"; chmod 600 "$KEY_FILE"; }
export DDCPTS_ENCRYPTION_KEY="${DDCPTS_ENCRYPTION_KEY:-$(cat "$KEY_FILE")}"
sandbox_start "$SANDBOX_PORT" "$LOCAL_DIR/sandbox.log"
export DDCPTS_SANDBOX_URL="$SANDBOX_URL"

ODOO_ARGS=(-c "$ROOT/config/local.conf" --addons-path="$(odoo_addons_path)" --data-dir="$LOCAL_DIR/data"
           "${DB_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" --http-port="$HTTP_PORT" --gevent-port="$GEVENT_PORT")
MODULES="$(addon_names "$ROOT/addons")"
log "installing $MODULES with demo data (the first run creates the database $DB: a few minutes)"
odoo_cmd "${ODOO_ARGS[@]}" -i "$MODULES" --stop-after-init

cat >&2 <<MSG

  DDCPTS is starting on http://localhost:$HTTP_PORT  (login: admin / password: admin)
  Provider simulator: $SANDBOX_URL  (control API: $SANDBOX_URL/_sandbox/health)
  Stop with Ctrl-C. The database stays in .local/ for the next run (make clean removes it).

MSG
odoo_cmd "${ODOO_ARGS[@]}"
