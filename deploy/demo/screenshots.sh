#!/usr/bin/env bash
# `npm run screenshots`: the PNGs of `hostpulse fleet serve` in docs/screenshots/, made from a
# demo fleet rather than drawn by hand. Starts `npm run demo` (Pushgateway, Prometheus,
# Alertmanager, the synthetic memory load, HOSTS agents) on its own ports, stops one agent
# so a stale host shows, makes one OOM kill in a memory cgroup when root with cgroup v1
# (so the OOM pages have a victim), lets the charts fill for WARMUP seconds, serves the
# page and photographs each page in headless Chromium. Stops everything it started.
#
# Environment (defaults): HOSTS=4  WARMUP=180  OUT=docs/screenshots  BASE_PORT=19190
set -euo pipefail
cd "$(dirname "$0")/../.."
HOSTS="${HOSTS:-4}"
WARMUP="${WARMUP:-180}"
OUT="${OUT:-docs/screenshots}"
BASE_PORT="${BASE_PORT:-19190}"
say() { echo "screenshots: $*" >&2; }

[ -x /usr/bin/chromium ] || [ -n "${HOSTPULSE_CHROMIUM:-}" ] || { say "chromium is missing: bash deploy/install-deps.sh test"; exit 1; }
npm run build --silent >&2
CLI="$PWD/dist/agent/cli/main.js"
PROM="http://127.0.0.1:$((BASE_PORT + 1))"
SERVE="127.0.0.1:$((BASE_PORT + 6))"
log="$(mktemp -d "${TMPDIR:-/tmp}/hostpulse-screenshots.XXXXXX")"
demo_pid=""
serve_pid=""
cg=""
cleanup() {
  [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null || true
  # The demo stops everything it started on SIGTERM.
  [ -n "$demo_pid" ] && kill -TERM "$demo_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "$cg" ] && rmdir "$cg" 2>/dev/null || true
  rm -rf "$log"
}
trap cleanup EXIT

PUSHGATEWAY_PORT=$((BASE_PORT)) PROMETHEUS_PORT=$((BASE_PORT + 1)) ALERTMANAGER_PORT=$((BASE_PORT + 3)) \
  WEBHOOK_PORT=$((BASE_PORT + 5)) HOSTS="$HOSTS" INTERVAL=5s SCRAPE_INTERVAL=5s DEMO_SKIP_BUILD=1 \
  bash deploy/demo/run.sh >"$log/demo.out" 2>"$log/demo.err" &
demo_pid=$!
for _ in $(seq 300); do
  grep -q 'demo: ready' "$log/demo.err" && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$log/demo.err" >&2; say "the demo did not start"; exit 1; }
  sleep 0.2
done
grep -q 'demo: ready' "$log/demo.err" || { say "the demo did not become ready"; exit 1; }
say "demo fleet of $HOSTS hosts is up; the charts fill for ${WARMUP}s"

node "$CLI" fleet serve --prometheus-url "$PROM" --listen-address "$SERVE" --chart-range 15m --refresh 5s \
  2>"$log/serve.err" &
serve_pid=$!

# One OOM kill in a 64 MiB memory cgroup (as the OOM tests make), so the OOM pages show a victim.
if [ "$(id -u)" = 0 ] && [ -w /sys/fs/cgroup/memory ] && command -v python3 >/dev/null; then
  sleep 20
  cg=/sys/fs/cgroup/memory/hostpulse-screenshots-$$
  mkdir "$cg" && echo $((64 * 1024 * 1024)) >"$cg/memory.limit_in_bytes" && echo 0 >"$cg/memory.swappiness"
  printf "open('/proc/self/comm', 'w').write('batch-report')\nb = []\nwhile True:\n    b.append(bytearray(1 << 20))\n" >"$log/oom.py"
  sh -c "echo \$\$ > $cg/cgroup.procs && exec python3 $log/oom.py" || true
  say "made one OOM kill (comm batch-report) in $cg"
else
  say "no OOM kill made (needs root and the cgroup v1 memory controller): the OOM pages show none"
fi

sleep "$WARMUP"
# The last host stops pushing: stale on the page within 3 of its intervals.
last="$(sed -n "s/.*demo-host-$HOSTS=\([0-9]*\).*/\1/p" "$log/demo.out" | head -1)"
[ -n "$last" ] && kill -KILL "$last" && say "stopped demo-host-$HOSTS (pid $last): it turns stale" && sleep 20

node deploy/demo/screenshots.mjs "http://$SERVE" "$OUT" demo-host-1 node
say "done: $OUT"
