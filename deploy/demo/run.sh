#!/usr/bin/env bash
# `npm run demo`: the compose topology without Docker, from Debian packages, on
# loopback. Starts a Pushgateway, Prometheus (the project's config and rules,
# rendered for loopback targets and short intervals), Alertmanager (notifying a
# webhook that prints alerts here), the synthetic memory load, and HOSTS agents
# named demo-host-1..N. Ctrl-C stops everything it started.
#
# Environment (defaults):
#   HOSTS=3  INTERVAL=5s  SCRAPE_INTERVAL=5s  LOAD_SCALE=1
#   PUSHGATEWAY_PORT=9091  PROMETHEUS_PORT=9090  ALERTMANAGER_PORT=9093  WEBHOOK_PORT=9095
#   DEMO_SKIP_BUILD=1  use the existing dist/ instead of running `npm run build`
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

HOSTS="${HOSTS:-3}"
INTERVAL="${INTERVAL:-5s}"
SCRAPE_INTERVAL="${SCRAPE_INTERVAL:-5s}"
PUSHGATEWAY_PORT="${PUSHGATEWAY_PORT:-9091}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
WEBHOOK_PORT="${WEBHOOK_PORT:-9095}"

say() { echo "demo: $*" >&2; }
die() { say "$*"; exit 1; }

[[ "$HOSTS" =~ ^[1-9][0-9]*$ ]] || die "HOSTS must be a positive whole number, got '$HOSTS'"

# --- prerequisites -----------------------------------------------------------
[ -d node_modules ] || die "node_modules is missing: run 'npm ci' first"
need=()
for cmd in prometheus-pushgateway prometheus prometheus-alertmanager; do
  command -v "$cmd" >/dev/null || need+=("$cmd")
done
if [ ${#need[@]} -gt 0 ]; then
  say "missing ${need[*]}; installing them with deploy/install-deps.sh demo"
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    die "installing packages needs root or sudo; as root run: bash deploy/install-deps.sh demo"
  fi
  bash deploy/install-deps.sh demo || die "deploy/install-deps.sh demo failed; run it as root (or with sudo) and retry"
fi

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for spec in "Pushgateway:PUSHGATEWAY_PORT:$PUSHGATEWAY_PORT" "Prometheus:PROMETHEUS_PORT:$PROMETHEUS_PORT" \
            "Alertmanager:ALERTMANAGER_PORT:$ALERTMANAGER_PORT" "the alert webhook:WEBHOOK_PORT:$WEBHOOK_PORT"; do
  IFS=: read -r what var port <<<"$spec"
  if port_taken "$port"; then
    die "port $port for $what is taken (another demo or a system service?); stop it or set $var to a free port"
  fi
done

if [ "${DEMO_SKIP_BUILD:-}" != 1 ]; then
  say "building (npm run build)"
  npm run build --silent >&2
fi
CLI="$ROOT/dist/agent/cli/main.js"
[ -f "$CLI" ] || die "$CLI is missing: run 'npm run build'"

# --- start everything, remembering every pid ---------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hostpulse-demo.XXXXXX")"
mkdir -p "$WORK/logs"
pids=()
stopping=0
sleeper=""
cleanup() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap '' INT TERM
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  say "stopping ${#pids[@]} processes"
  # Background jobs of a script ignore SIGINT, so Ctrl-C reaches only this shell: terminate them by pid.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
  say "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() { # name, command...: run in the background, output to $WORK/logs/<name>.log
  local name="$1"; shift
  "$@" >"$WORK/logs/$name.log" 2>&1 &
  pids+=("$!")
}

# Waits for http://127.0.0.1:<port><path> to answer 200, or fails with the log.
wait_ready() { # name, port, path
  local name="$1" port="$2" path="$3" pid="${pids[-1]}"
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/logs/$name.log" >&2; die "$name exited (log above)"; }
    if node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
         "http://127.0.0.1:$port$path"; then
      return 0
    fi
    sleep 0.2
  done
  cat "$WORK/logs/$name.log" >&2
  die "$name did not become ready on port $port"
}

start pushgateway prometheus-pushgateway --web.listen-address="127.0.0.1:$PUSHGATEWAY_PORT" \
  --push.disable-consistency-check --persistence.file="$WORK/pushgateway.persist"
wait_ready pushgateway "$PUSHGATEWAY_PORT" /-/ready

node deploy/demo/render-config.js alertmanager --webhook "http://127.0.0.1:$WEBHOOK_PORT/alerts" >"$WORK/alertmanager.yml"
# The webhook printer writes to this terminal: alerts show up as they are notified.
node deploy/demo/webhook-printer.js "$WEBHOOK_PORT" &
pids+=("$!")
start alertmanager prometheus-alertmanager --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/alertmanager" \
  --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address=
wait_ready alertmanager "$ALERTMANAGER_PORT" /-/ready

node deploy/demo/render-config.js prometheus \
  --pushgateway "127.0.0.1:$PUSHGATEWAY_PORT" --prometheus "127.0.0.1:$PROMETHEUS_PORT" \
  --alertmanager "127.0.0.1:$ALERTMANAGER_PORT" \
  --scrape-interval "$SCRAPE_INTERVAL" --evaluation-interval "$SCRAPE_INTERVAL" >"$WORK/prometheus.yml"
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
wait_ready prometheus "$PROMETHEUS_PORT" /-/ready

start memory-load node deploy/load/memory-load.js
agents=()
for i in $(seq "$HOSTS"); do
  start "demo-host-$i" node --max-semi-space-size=1 "$CLI" run --pushgateway-url "http://127.0.0.1:$PUSHGATEWAY_PORT" \
    --instance "demo-host-$i" --interval "$INTERVAL" --log-format json
  agents+=("demo-host-$i=${pids[-1]}")
done

cat <<EOT

hostpulse demo is running ($HOSTS agents every $INTERVAL, pushing as demo-host-1..$HOSTS):
  Prometheus    http://127.0.0.1:$PROMETHEUS_PORT        alerts: http://127.0.0.1:$PROMETHEUS_PORT/alerts
  Pushgateway   http://127.0.0.1:$PUSHGATEWAY_PORT
  Alertmanager  http://127.0.0.1:$ALERTMANAGER_PORT
  agent pids    ${agents[*]}
  logs          $WORK/logs/

Try:
  node dist/agent/cli/main.js fleet hosts --prometheus-url http://127.0.0.1:$PROMETHEUS_PORT
  kill -9 ${pids[-1]}    # SIGKILL demo-host-$HOSTS: HostpulseMissingPushes fires after 3 of its intervals
Grafana is not packaged in Debian: for the dashboards run 'docker compose up --scale host=3'.
Alert notifications are printed below. Ctrl-C stops everything.

EOT
say "ready"

# Sleep until Ctrl-C; `wait` on a background sleep lets the INT trap run at once.
while :; do
  sleep 3600 &
  sleeper=$!
  wait "$sleeper" || true
done
