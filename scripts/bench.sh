#!/usr/bin/env bash
# `make bench`: print the benchmark figures. Sets up a throwaway cluster and database with every addon
# (and the test fixture addons), the simulator and an Odoo server with prefork workers, then runs
# bench/bench_*.py (or the scripts named as arguments, e.g. `make bench ARGS=callbacks`).
source "$(dirname "$0")/common.sh"

ensure_setup
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ddcpts-bench.XXXXXX")"
[ "$(id -u)" = 0 ] && chmod 755 "$WORK"
cleanup() {
  [ -n "${ODOO_PID:-}" ] && kill "$ODOO_PID" 2>/dev/null && wait "$ODOO_PID" 2>/dev/null
  [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null
  pg_stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT

pg_start "$WORK/pg" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
sandbox_start "$(free_port)" "$WORK/sandbox.log"
export DDCPTS_SANDBOX_URL="$SANDBOX_URL"
export DDCPTS_ENCRYPTION_KEY="$(encryption_key)"

DB=ddcpts_bench
ADDONS_PATH="$(odoo_addons_path "$ROOT/tests/addons")"
ODOO_ARGS=(--addons-path="$ADDONS_PATH" --data-dir="$WORK/data" "${DB_ARGS[@]}" -d "$DB")
log "installing every addon in a fresh database"
odoo_cmd -c "$ROOT/config/test.conf" "${ODOO_ARGS[@]}" -i "$(addon_names "$ROOT/addons" "$ROOT/tests/addons")" \
  --stop-after-init --without-demo=all

PORT="$(free_port)"
export DDCPTS_BENCH_URL="http://127.0.0.1:$PORT" DDCPTS_BENCH_DB="$DB" DDCPTS_BENCH_LOG="$WORK/odoo.log"
export DDCPTS_BENCH_ODOO_ARGS="${ODOO_ARGS[*]}"
WORKERS="${DDCPTS_BENCH_WORKERS:-2}"
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$PORT" \
  --gevent-port="$(free_port)" --workers="$WORKERS" --max-cron-threads=0 --log-level=info \
  --logfile="$DDCPTS_BENCH_LOG" &
ODOO_PID=$!
"$PYTHON" - "$DDCPTS_BENCH_URL/web/health" <<'PYEOF' || die "the Odoo server did not start (see $DDCPTS_BENCH_LOG)"
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PYEOF
log "Odoo serving $DB with $WORKERS workers on port $PORT"

cd "$ROOT/bench"
SCRIPTS=()
if [ $# -eq 0 ]; then SCRIPTS=(bench_*.py); else for name in "$@"; do SCRIPTS+=("bench_${name#bench_}"); done; fi
for script in "${SCRIPTS[@]}"; do
  script="${script%.py}.py"
  printf '\n# %s\n' "$script"
  "$PYTHON" "$script"
done
