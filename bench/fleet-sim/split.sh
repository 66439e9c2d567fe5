#!/bin/bash
# bench/fleet-sim/split.sh HOSTS PARTS OUTDIR [fleet-sim flags...]
# One VictoriaMetrics on 127.0.0.1 and HOSTS simulated hosts in PARTS simulator processes
# (instance prefixes sim-a-, sim-b-, ...): one Node heap holds ~0.4 MB per host, and a heap of
# several GB stalls its event loop in garbage collection for seconds (docs/fleet-10000.md).
# Each part writes OUTDIR/part-<letter>.json; VictoriaMetrics' figures are in each report.
# Every SAMPLE_EVERY seconds (default 30, 0: off) OUTDIR/timeline/<seconds>.txt keeps VictoriaMetrics'
# /metrics, and OUTDIR/timeline.tsv the seconds, load average and bytes of its data directory:
# `node dist/bench/fleet-sim/timeline.js OUTDIR` tells the start-up burst from the steady state.
set -euo pipefail
hosts=$1 parts=$2 out=$3
shift 3
mkdir -p "$out"
data=$(mktemp -d /tmp/hostpulse-vm-split-XXXXXX)
port=$((20000 + RANDOM % 20000))
victoria-metrics -httpListenAddr=127.0.0.1:$port -storageDataPath="$data" -search.latencyOffset=0s -loggerLevel=ERROR &
vm=$!
sampler=
trap 'kill $sampler $vm 2>/dev/null; wait $vm 2>/dev/null; rm -rf "$data"' EXIT
until curl -sf http://127.0.0.1:$port/health >/dev/null; do sleep 0.5; done
every=${SAMPLE_EVERY:-30}
if [ "$every" -gt 0 ]; then
  mkdir -p "$out/timeline"
  printf 'seconds\tload1\tdata_bytes\n' >"$out/timeline.tsv"
  (
    t0=$SECONDS
    while :; do
      t=$((SECONDS - t0))
      curl -s --max-time 10 http://127.0.0.1:$port/metrics >"$out/timeline/$t.txt" || true
      printf '%s\t%s\t%s\n' $t "$(cut -d' ' -f1 /proc/loadavg)" "$(du -sb "$data" 2>/dev/null | cut -f1)" >>"$out/timeline.tsv"
      sleep "$every"
    done
  ) &
  sampler=$!
fi
here=$(dirname "$0")
sim=$here/main.js
[ -f "$sim" ] || sim=dist/bench/fleet-sim/main.js
pids=()
for i in $(seq 0 $((parts - 1))); do
  letter=$(printf "\\$(printf '%03o' $((97 + i)))")
  n=$((hosts / parts + (i < hosts % parts ? 1 : 0)))
  node "$sim" --sink remote-write --url http://127.0.0.1:$port/api/v1/write --receiver-pid $vm \
    --hosts $n --instance-prefix sim-$letter- --json-file "$out/part-$letter.json" "$@" \
    >"$out/part-$letter.txt" 2>"$out/part-$letter.err" &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait $p || rc=1; done
du -sb "$data" | cut -f1 >"$out/vm-data-bytes"
curl -s http://127.0.0.1:$port/metrics >"$out/vm-metrics.txt"
exit $rc
