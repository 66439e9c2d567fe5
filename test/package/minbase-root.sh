#!/usr/bin/env bash
# Prints the path of a tarball of a bare Debian 12 root (debootstrap --variant=minbase
# bookworm from this machine's own apt mirror: no node in it), building it on first use.
# Cached under /var/cache/hostpulse-test-images like the container tests' base images,
# keyed by the mirror, so later runs only extract it.
set -euo pipefail
say() { echo "minbase root: $*" >&2; }
cache=/var/cache/hostpulse-test-images

sources="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
  awk '$2 ~ /^bookworm(-updates|-security)?$/ && $3 == "main" { print $1, $2 }' | sort -u)"
mirror="$(awk '$2 == "bookworm" { print $1; exit }' <<<"$sources")"
[ -n "$mirror" ] || { say "no bookworm main source in this machine's apt sources; cannot debootstrap"; exit 1; }
key="$(printf '%s\n' 'debootstrap --variant=minbase bookworm, v1' "$sources" | sha256sum | cut -c1-16)"
tarball="$cache/bookworm-minbase-$key.tar"

if [ ! -s "$tarball" ]; then
  mkdir -p "$cache"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  say "debootstrap --variant=minbase bookworm $mirror (about a minute)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb
  # Written aside and renamed, so a run cut short never leaves a half tarball in the cache.
  tar -C "$work/rootfs" -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
fi
echo "$tarball"
