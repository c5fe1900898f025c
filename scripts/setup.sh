#!/usr/bin/env bash
# `make setup`: install whatever `make run` and `make test` need and is missing.
source "$(dirname "$0")/common.sh"
ensure_setup
log "ready: Odoo $("$PYTHON" -c 'import odoo.release as r; print(r.version)'), PostgreSQL in $PG_BIN"
