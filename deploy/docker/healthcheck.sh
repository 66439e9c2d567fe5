#!/usr/bin/env bash
# HEALTHCHECK of the image: healthy while both the agent and the memory load
# (entrypoint.sh starts them) are running. Reads /proc/<pid>/cmdline, no ps needed.
agent=0 load=0
for cmdline in /proc/[0-9]*/cmdline; do
  args="$(tr '\0' ' ' <"$cmdline" 2>/dev/null)" || continue # a process that just exited
  case "$args" in
    *dist/agent/cli/main.js\ run*) agent=1 ;;
    load-parent* | *deploy/load/memory-load.js*) load=1 ;; # the load renames itself (process.title)
  esac
done
[ "$agent" = 1 ] || { echo "hostpulse agent is not running"; exit 1; }
[ "$load" = 1 ] || { echo "memory load is not running"; exit 1; }
echo ok
