#!/usr/bin/env bash
# Times each fleet command against a loaded store (see docs/fleet-10000.md):
#   bench/fleet-data/measure.sh CLI_JS STORE_URL LABEL [RUNS]
# (exit 1 from unhealthy and at-risk means: found some; 3: a query failed or timed out)
# prints one line per command and run: label, command, wall s, the CLI's CPU s
# (user + system) and peak RSS MB (/usr/bin/time -v), queries sent, the store's CPU seconds spent meanwhile
# (process_cpu_seconds_total from its /metrics: Prometheus and VictoriaMetrics
# both export it), and for `fleet groups` where its CPU came from (a CLI that
# says so). Run it under `flock /tmp/hostpulse-heavy.lock` on a shared machine.
set -euo pipefail
cli=$1 url=$2 label=$3 runs=${4:-3}
host=${HOST:-host-00003} group=${GROUP:-svc-003} window=${RATE_WINDOW:-2m}
cpu() { curl -sf "$url/metrics" | awk '$1=="process_cpu_seconds_total"{print $2}'; }
commands=("hosts" "unhealthy" "groups" "group $group" "ooms" "top --host $host" "at-risk")
for c in "${commands[@]}"; do
  for _ in $(seq "$runs"); do
    before=$(cpu)
    # shellcheck disable=SC2086 # $c is a command and its arguments
    /usr/bin/time -v -o /tmp/fleet-measure.time node "$cli" fleet $c --prometheus-url "$url" --rate-window "$window" \
      -o json --log-level debug >/tmp/fleet-measure.out 2>/tmp/fleet-measure.err && rc=0 || rc=$?
    after=$(cpu)
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' /tmp/fleet-measure.time)
    cli_cpu=$(awk -F': ' '/(User|System) time \(seconds\)/{s+=$2} END{print s}' /tmp/fleet-measure.time)
    rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' /tmp/fleet-measure.time)
    queries=$(grep -c '^debug: [0-9]* ms:' /tmp/fleet-measure.err || true)
    # fleet groups says where its CPU columns came from: the recorded series or the counters.
    source=$(sed -n 's/^debug: fleet groups: CPU \(from the recorded\|rated from the counters\).*/\1/p' /tmp/fleet-measure.err)
    printf '%s\t%s\t%.2f s\t%.2f CLI CPU s\t%s MB\t%s queries\t%.2f store CPU s\texit %s%s\n' "$label" "$c" "$wall" "$cli_cpu" "$rss" "$queries" \
      "$(awk "BEGIN{print $after - $before}")" "$rc" "${source:+$'\t'CPU $source}"
  done
done
