#!/usr/bin/env bash
# The fleet CLI and the alert rules at N hosts, against a real Prometheus and a
# real VictoriaMetrics loaded with synthetic series (docs/fleet-10000.md):
#   flock /tmp/hostpulse-heavy.lock bench/fleet-data/run.sh HOSTS WORKDIR CLI_JS [CLI_JS ...]
# Each CLI_JS (e.g. this build's dist/agent/cli/main.js and another
# checkout's) is measured by measure.sh against both stores, while Prometheus
# and vmalert evaluate the recording rule of `fleet groups` every 30 s (it
# reads the recorded series); then every rule of prometheus/rules/ is
# evaluated for 2 minutes on both, and each group's evaluation time is
# printed. Needs npm run build:bench first.
set -euo pipefail
hosts=$1 work=$2
shift 2
here=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_http() { for _ in $(seq 300); do curl -sf "$1" >/dev/null && return 0; sleep 1; done; echo "no answer from $1" >&2; exit 1; }

pp=$(port) vp=$(port) ap=$(port)
# The backfilled blocks reach 40 m past now: without an out-of-order window
# Prometheus drops the rules' results at "now" as out of bounds.
config() { printf 'global:\n  evaluation_interval: 30s\nstorage:\n  tsdb:\n    out_of_order_time_window: 2h\nrule_files:\n  - %s\n' "$1" >"$work/prometheus.yml"; }
config "$here/prometheus/rules/hostpulse-fleet.yml"
vm=http://127.0.0.1:$vp prom=http://127.0.0.1:$pp
victoria-metrics -httpListenAddr="127.0.0.1:$vp" -storageDataPath="$work/vm" -search.latencyOffset=0s -loggerLevel=ERROR \
  >"$work/vm.log" 2>&1 &
pids+=($!)
wait_http "$vm/health"
node "$here/dist/bench/fleet-data/main.js" --hosts "$hosts" --out "$work/fleet.om" --ahead 40m \
  --prometheus-dir "$work/prom" --victoria-metrics "$vm"
rm -f "$work/fleet.om" "$work/fleet.om.prom"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" --web.listen-address="127.0.0.1:$pp" \
  --web.enable-lifecycle --log.level=warn >"$work/prom.log" 2>&1 &
pids+=($!)
wait_http "$prom/-/ready"
curl -sf "$vm/internal/force_flush" >/dev/null || true
# vmalert writes what it records back into VictoriaMetrics (-remoteWrite.url).
start_vmalert() {
  vmalert -rule="$1" -datasource.url="$vm" -remoteWrite.url="$vm" -evaluationInterval=30s \
    -notifier.url=http://127.0.0.1:9 -httpListenAddr="127.0.0.1:$ap" -loggerLevel=ERROR >>"$work/vmalert.log" 2>&1 &
  pids+=($!)
}
start_vmalert "$here/prometheus/rules/hostpulse-fleet.yml"
# Measure once both stores hold the recorded series (the first evaluations of a fresh store take longest).
recorded='count(instance_group:hostpulse_group_cpu_percent:rate)'
for store in "$prom" "$vm"; do
  for _ in $(seq 300); do
    curl -sf "$store/api/v1/query" --data-urlencode "query=$recorded" | grep -q '"value"' && break
    sleep 2
  done
  echo "$hosts recorded series in $store: $(curl -sf "$store/api/v1/query" --data-urlencode "query=$recorded")"
done
sleep 60
for cli in "$@"; do
  name=$(basename "$(cd "$(dirname "$cli")/../../.." && pwd)")
  "$here/bench/fleet-data/measure.sh" "$cli" "$prom" "$hosts prometheus $name" "${RUNS:-3}"
  "$here/bench/fleet-data/measure.sh" "$cli" "$vm" "$hosts victoria-metrics $name" "${RUNS:-3}"
done

# The alerts: every shipped rule, evaluated every 30 s over the loaded series.
config "$here/prometheus/rules/*.yml"
curl -sf -X POST "$prom/-/reload"
kill "${pids[-1]}" && wait "${pids[-1]}" 2>/dev/null || true
start_vmalert "$here/prometheus/rules/*.yml"
sleep 125
curl -sf "$prom/api/v1/rules" | node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const g of d.data.groups) {
    console.log(`'"$hosts"' prometheus rules\t${g.name}\t${(g.evaluationTime * 1000).toFixed(0)} ms`);
    for (const r of g.rules) console.log(`'"$hosts"' prometheus rule\t${r.name}\t${(r.evaluationTime * 1000).toFixed(0)} ms\t${r.alerts ? r.alerts.length : 0} alerts`);
  }'
# Whole lines: vmalert writes a space inside the label set.
curl -sf "http://127.0.0.1:$ap/metrics" | awk -v h="$hosts" '/^vmalert_iteration_duration_seconds(_sum|_count|.*quantile="0.5")/{print h " vmalert\t" $0}'
