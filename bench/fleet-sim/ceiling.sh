#!/usr/bin/env bash
# The largest fleet one receiver carries: runs the fleet simulator at N, 2N,
# 4N ... hosts (a fresh receiver each time) until the first N that misses the
# bar (docs/fleet-10000.md), and keeps every report as JSON.
#   bench/fleet-sim/ceiling.sh RECEIVER START_N MAX_N OUT_DIR [fleet-sim flags...]
#   RECEIVER: pushgateway | pushgateway-checked | victoria-metrics
set -euo pipefail
receiver=$1 n=$2 max=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
while [ "$n" -le "$max" ]; do
  echo "== $receiver: $n hosts" >&2
  if node "$here/dist/bench/fleet-sim/main.js" --start-receiver "$receiver" --hosts "$n" --json-file "$out/$receiver-$n.json" "$@"; then
    n=$((n * 2))
  else
    code=$?
    [ "$code" -eq 1 ] && echo "== $receiver: first failing N = $n" >&2
    exit "$code"
  fi
done
echo "== $receiver: every N up to $max met the bar" >&2
