#!/usr/bin/env bash
# Keeps two CPU cores busy, to run the tests on a loaded machine:
#   scripts/cpu_hog.sh 1800 &  make test
# Bounded: the busy processes stop after SECONDS (default 3600), on Ctrl-C / kill of this script,
# and on their own when this script dies (even by SIGKILL) or when the shell that started it exits.
set -euo pipefail

DURATION="${1:-3600}"
case "$DURATION" in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
PYTHON="${PYTHON:-python3}"
STARTER=$PPID

busy() {  # a busy loop that checks every few million steps whether it should stop
  "$PYTHON" -c '
import os, sys, time
parent, end = os.getppid(), time.monotonic() + float(sys.argv[1])
while os.getppid() == parent and time.monotonic() < end:
    for _ in range(2_000_000):
        pass
' "$DURATION" &
  PIDS+=($!)
}

PIDS=()
stop() { kill "${PIDS[@]}" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM HUP
busy
busy
echo "cpu_hog: 2 busy processes (${PIDS[*]}) for at most ${DURATION}s" >&2
end=$((SECONDS + DURATION))
while [ "$SECONDS" -lt "$end" ] && kill -0 "$STARTER" 2>/dev/null; do
  sleep 1
done
