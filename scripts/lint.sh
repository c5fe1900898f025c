#!/usr/bin/env bash
# `make lint`: ruff with the configuration of pyproject.toml.
source "$(dirname "$0")/common.sh"
"$PYTHON" -m ruff --version >/dev/null 2>&1 || pip_install -r "$ROOT/requirements-dev.txt"
cd "$ROOT" && "$PYTHON" -m ruff check .
