#!/usr/bin/env bash
# Builds the local stand-ins for the upstream images docker-compose.yml and
# deploy/docker/Dockerfile name, so both run unchanged where no registry can be
# reached. Tags: node:20-bookworm-slim, prom/pushgateway:v1.9.0,
# prom/prometheus:v2.53.1, prom/alertmanager:v0.27.0 (not grafana: Grafana is in
# no Debian package).
#   base       debootstrap --variant=minbase bookworm from this machine's own apt mirror
#   node       base + this machine's Node 20 (node, npm) in /usr/local as the real
#              image has them, user `node` (uid 1000), and the machine's CA bundle as
#              NODE_EXTRA_CA_CERTS so npm inside a build trusts what the machine trusts
#   prom/*     base + Debian's prometheus, prometheus-pushgateway and
#              prometheus-alertmanager, with the real images' entrypoints
#              (/bin/prometheus, /bin/pushgateway, /bin/alertmanager), user nobody,
#              and their working directories and default arguments
# Runs podman with the caller's CONTAINERS_CONF / CONTAINERS_STORAGE_CONF. An image
# whose label hostpulse.stand-in.key matches the hash of what builds it is kept, so a
# second run on the same machine only checks labels.
set -euo pipefail
: "${CONTAINERS_CONF:?set CONTAINERS_CONF}" "${CONTAINERS_STORAGE_CONF:?set CONTAINERS_STORAGE_CONF}"
say() { echo "stand-in images: $*" >&2; }

# The machine's bookworm mirror(s), main component: "URI SUITE" lines.
sources="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
  awk '$2 ~ /^bookworm(-updates|-security)?$/ && $3 == "main" { print $1, $2 }' | sort -u)"
mirror="$(awk '$2 == "bookworm" { print $1; exit }' <<<"$sources")"
[ -n "$mirror" ] || { say "no bookworm main source in this machine's apt sources; cannot debootstrap"; exit 1; }
node_version="$(node --version)"
[[ "$node_version" == v20.* ]] || { say "this machine's node is $node_version; the stand-in for node:20 needs Node 20"; exit 1; }
node_bin="$(command -v node)"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
ca_bundle=/etc/ssl/certs/ca-certificates.crt

# The slow debootstrap is keyed by its own inputs only; the layers on it (seconds to
# rebuild) by this whole script too.
base_key="$(printf '%s\n' 'debootstrap --variant=minbase bookworm, v1' "$sources" | sha256sum | cut -c1-16)"
layers_key="$(cat "$0" - <<<"$base_key" | sha256sum | cut -c1-16)"
node_key="$(printf '%s\n' "$layers_key" "$node_version" "$(sha256sum "$ca_bundle" | cut -c1-16)" | sha256sum | cut -c1-16)"

current() { # image key: true when the image exists with that key
  [ "$(podman image inspect --format '{{ index .Labels "hostpulse.stand-in.key" }}' "$1" 2>/dev/null)" = "$2" ]
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if current hostpulse-test/debian-minbase:bookworm "$base_key"; then
  say "debian-minbase:bookworm is current ($base_key)"
else
  say "debootstrap --variant=minbase bookworm $mirror (about a minute)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  awk '{ print "deb", $1, $2, "main" }' <<<"$sources" >"$work/rootfs/etc/apt/sources.list"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | podman import --quiet --change "LABEL hostpulse.stand-in.key=$base_key" --change 'CMD ["bash"]' \
    - hostpulse-test/debian-minbase:bookworm >/dev/null
  rm -rf "$work/rootfs"
fi

build() { # tag key context: podman build of $context/Containerfile, host network (apt, no firewall rules)
  podman build --quiet --network host --format docker --label "hostpulse.stand-in.key=$2" -t "$1" "$3" >/dev/null
}

if current node:20-bookworm-slim "$node_key"; then
  say "node:20-bookworm-slim is current ($node_version)"
else
  say "node:20-bookworm-slim from this machine's node $node_version"
  mkdir -p "$work/node"
  cp "$node_bin" "$work/node/node"
  cp -r "$npm_dir" "$work/node/npm"
  cp "$ca_bundle" "$work/node/machine-ca.crt"
  cat >"$work/node/Containerfile" <<'CF'
FROM hostpulse-test/debian-minbase:bookworm
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY machine-ca.crt /usr/local/share/hostpulse-test/machine-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/hostpulse-test/machine-ca.crt
CMD ["node"]
CF
  build node:20-bookworm-slim "$node_key" "$work/node"
fi

if current prom/prometheus:v2.53.1 "$layers_key" && current prom/pushgateway:v1.9.0 "$layers_key" && current prom/alertmanager:v0.27.0 "$layers_key"; then
  say "prom/pushgateway, prom/prometheus, prom/alertmanager are current"
else
  say "prom/pushgateway, prom/prometheus, prom/alertmanager from Debian packages"
  mkdir -p "$work/prom"
  cat >"$work/prom/Containerfile" <<'CF'
FROM hostpulse-test/debian-minbase:bookworm
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus prometheus-pushgateway prometheus-alertmanager >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && ln -sf /usr/bin/prometheus-pushgateway /bin/pushgateway \
 && ln -sf /usr/bin/prometheus-alertmanager /bin/alertmanager \
 && mkdir -p /prometheus /pushgateway /alertmanager \
 && chown nobody:nogroup /prometheus /pushgateway /alertmanager
USER nobody
CF
  build hostpulse-test/prom-debian:bookworm "$layers_key" "$work/prom"
  tag() { # name workdir port entrypoint [cmd json]
    printf 'FROM hostpulse-test/prom-debian:bookworm\nWORKDIR %s\nEXPOSE %s\nENTRYPOINT ["%s"]\n%s\n' "$2" "$3" "$4" "${5:-}" >"$work/prom/Containerfile"
    build "$1" "$layers_key" "$work/prom"
  }
  tag prom/pushgateway:v1.9.0 /pushgateway 9091 /bin/pushgateway
  tag prom/prometheus:v2.53.1 /prometheus 9090 /bin/prometheus \
    'VOLUME ["/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
  tag prom/alertmanager:v0.27.0 /alertmanager 9093 /bin/alertmanager \
    'VOLUME ["/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]'
fi
podman image prune -f >/dev/null
