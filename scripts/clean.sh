#!/usr/bin/env bash
# `make clean`: stop and delete the local cluster and data of `make run` (not the Odoo source).
source "$(dirname "$0")/common.sh"
PG_BIN="$(find_pg_bin)"
pg_stop "$LOCAL_DIR/pgdata"
rm -rf "$LOCAL_DIR/pgdata" "$LOCAL_DIR/data" "$LOCAL_DIR/encryption.key" "$LOCAL_DIR/sandbox.log"
log "removed the local database cluster"
