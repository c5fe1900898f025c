#!/usr/bin/env bash
# `make bench`: print the benchmark figures. Sets up a throwaway cluster and database with every addon
# (and the test fixture addons), the simulator and an Odoo server with prefork workers, then runs
# bench/bench_*.py (or the scripts named as arguments, e.g. `make bench ARGS=callbacks`).
source "$(dirname "$0")/common.sh"

ensure_setup
throwaway_stack bench
DB=ddcpts_bench
ODOO_ARGS=(--addons-path="$ADDONS_PATH" --data-dir="$WORK/data" "${DB_ARGS[@]}" -d "$DB")
log "installing every addon in a fresh database"
odoo_cmd -c "$ROOT/config/test.conf" "${ODOO_ARGS[@]}" -i "$ALL_MODULES" --stop-after-init --without-demo=all

PORT="$(free_port)"
export DDCPTS_BENCH_URL="http://127.0.0.1:$PORT" DDCPTS_BENCH_DB="$DB" DDCPTS_BENCH_LOG="$WORK/odoo.log"
export DDCPTS_BENCH_ODOO_ARGS="${ODOO_ARGS[*]}"
WORKERS="${DDCPTS_BENCH_WORKERS:-2}"
# -d without --db-filter serves that one database without listing the server's databases on each
# request (what a single-database deployment does): the per-request query counts are the suite's own
"${ODOO_BIN[@]}" "${ODOO_ARGS[@]}" --http-interface=127.0.0.1 --http-port="$PORT" \
  --gevent-port="$(free_port)" --workers="$WORKERS" --max-cron-threads=0 --log-level=info \
  --logfile="$DDCPTS_BENCH_LOG" &
ODOO_PID=$!
wait_for_url "$DDCPTS_BENCH_URL/web/health" 60 || die "the Odoo server did not start (see $DDCPTS_BENCH_LOG)"
log "Odoo serving $DB with $WORKERS workers on port $PORT"

cd "$ROOT/bench"
SCRIPTS=()
if [ $# -eq 0 ]; then SCRIPTS=(bench_*.py); else for name in "$@"; do SCRIPTS+=("bench_${name#bench_}"); done; fi
for script in "${SCRIPTS[@]}"; do
  script="${script%.py}.py"
  printf '\n# %s\n' "$script"
  "$PYTHON" "$script"
done
