#!/usr/bin/env bash
# Runs the synthetic memory load and the agent side by side; when either stops, or
# the container is stopped (SIGTERM), both are stopped and the container exits, so
# the restart policy brings the simulated host back whole.
# Extra arguments go to `hostpulse run`.
set -uo pipefail
app="$(cd "$(dirname "$0")/../.." && pwd)"   # /app in the image

node "$app/deploy/load/memory-load.js" &
load=$!
# As the installed launcher (deploy/install.sh): a 1 MiB young generation, and V8 without its
# worker threads (~6 MB less RSS at no CPU cost; see docs/benchmark.md).
node --max-semi-space-size=1 --single-threaded "$app/dist/agent/cli/main.js" run "$@" &
agent=$!

stop() { kill -TERM "$load" "$agent" 2>/dev/null; }
trap stop TERM INT

# Returns when the first of the two exits (or a trapped signal interrupts the wait).
wait -n "$load" "$agent"
status=$?
stop
wait
exit "$status"
