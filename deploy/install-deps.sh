#!/usr/bin/env bash
# Installs the Debian packages hostpulse's demo and tests use: the real Pushgateway,
# Prometheus (with promtool), Alertmanager, VictoriaMetrics (with vmagent; remote-write tests), busybox (its ps/top flavour), procps,
# docker-compose (to validate the compose file), systemd-analyze, and nftables +
# conntrack (the connections collector's blocking and event source); graphite-carbon +
# python3-whisper (carbon-cache and whisper-fetch: the graphite sink tests); podman with
# runc, netavark/aardvark-dns, iptables (netavark's firewall), catatonit (a pod's
# pause process) and debootstrap for `npm run test:containers`; lintian for
# `npm run test:package` (the .deb); chromium (headless) for the `fleet serve` page tests and
# `npm run screenshots`.
# Needs root (or sudo); installs nothing that is already there.
#
#   bash deploy/install-deps.sh        everything the tests use (what `npm test` runs first)
#   bash deploy/install-deps.sh demo   only what `npm run demo` runs: Pushgateway, Prometheus, Alertmanager
set -euo pipefail
DEMO=(prometheus-pushgateway prometheus prometheus-alertmanager)
TEST=("${DEMO[@]}" victoria-metrics busybox procps docker-compose systemd strace ansible-core openssl curl nftables conntrack graphite-carbon python3-whisper podman runc netavark aardvark-dns iptables catatonit debootstrap lintian chromium)
case "${1:-test}" in
  demo) PKGS=("${DEMO[@]}") ;;
  test) PKGS=("${TEST[@]}") ;;
  *) echo "install-deps: unknown set '$1' (known: demo, test)" >&2; exit 2 ;;
esac
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
