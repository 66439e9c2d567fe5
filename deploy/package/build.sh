#!/usr/bin/env bash
# `npm run package`: the agent as a self-contained linux-x64 executable (esbuild bundle
# + Node's single executable applications on this machine's Node 20), a Debian package,
# a tarball for other distributions and SHA256SUMS, all under out/package/:
#   hostpulse                                 the executable (no Node.js needed on the host)
#   hostpulse_<version>_amd64.deb             /usr/bin/hostpulse, the unit, the env file (conffile)
#   hostpulse-<version>-linux-x64.tar.gz      executable, unit, env file
#   SHA256SUMS
# Environment (for the package test): PACKAGE_VERSION overrides package.json's version,
# PACKAGE_OUT the output folder, PACKAGE_DEB_COMPRESSION dpkg-deb's -Z (default xz, the
# smallest; the test's throw-away packages use gzip: xz of ~90 MB takes a minute here).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
say() { echo "package: $*" >&2; }

version="${PACKAGE_VERSION:-$(node -p 'require("./package.json").version')}"
out="${PACKAGE_OUT:-$repo/out/package}"
node_bin="$(node -p process.execPath)"
[[ "$(node --version)" == v20.* ]] || { say "needs Node 20 (the runtime copied into the executable), found $(node --version)"; exit 1; }
[ "$(uname -m)" = x86_64 ] || { say "builds linux-x64 only (this machine is $(uname -m))"; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps strip; do
  command -v "$tool" >/dev/null || { say "$tool is missing (apt-get install dpkg-dev binutils)"; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

say "build and bundle $version"
npm run --silent build
node "$here/bundle.mjs" "$work/hostpulse.js" "$version"

# Node's single executable applications: a blob of the bundle injected into a copy of this
# machine's node binary. No V8 code cache: V8 rejects it (with a warning on every start)
# whenever the V8 flags differ from the build's, as with the unit's NODE_OPTIONS, and it
# saved no measurable start-up time here (once --stdout: 536 ms with it, 449 ms without).
cat >"$work/sea-config.json" <<JSON
{ "main": "$work/hostpulse.js", "output": "$work/sea.blob", "disableExperimentalSEAWarning": true, "useCodeCache": false }
JSON
node --experimental-sea-config "$work/sea-config.json" >/dev/null
cp "$node_bin" "$work/hostpulse"
chmod u+w "$work/hostpulse"
# Node's binary carries debug symbols: strip them before the blob goes in (postject appends a
# note that strip would drop afterwards).
strip --strip-all "$work/hostpulse"
# postject prints one harmless "Can't find string offset" warning per note section of node.
"$repo/node_modules/.bin/postject" "$work/hostpulse" NODE_SEA_BLOB "$work/sea.blob" \
  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >"$work/postject.log" 2>&1 ||
  { cat "$work/postject.log" >&2; exit 1; }
chmod 755 "$work/hostpulse"
got="$("$work/hostpulse" --version)"
[ "$got" = "$version" ] || { say "the executable says version '$got', expected $version"; exit 1; }
cp "$work/hostpulse" "$out/hostpulse"

# The unit as deploy/systemd ships it, started from the package's executable.
unit="$work/hostpulse.service"
# --max-semi-space-size=1 is what deploy/install.sh's launcher gives node: a smaller young
# generation, fewer MB resident (the executable reads NODE_OPTIONS like node does). The
# launcher's --single-threaded cannot follow: node refuses it in NODE_OPTIONS, and Node 20's
# single executable takes no node flags of its own.
sed -e 's|^ExecStart=.*|Environment=NODE_OPTIONS=--max-semi-space-size=1\nExecStart=/usr/bin/hostpulse run|' \
  deploy/systemd/hostpulse.service >"$unit"
grep -qx 'ExecStart=/usr/bin/hostpulse run' "$unit" || { say "no ExecStart= in deploy/systemd/hostpulse.service"; exit 1; }

say "hostpulse_${version}_amd64.deb"
root="$work/deb"
install -D -m 0755 "$work/hostpulse" "$root/usr/bin/hostpulse"
install -D -m 0644 "$unit" "$root/usr/lib/systemd/system/hostpulse.service"
install -D -m 0644 deploy/systemd/hostpulse.env "$root/etc/hostpulse/hostpulse.env"
install -d -m 0755 "$root/usr/share/doc/hostpulse" "$root/usr/share/man/man1" "$root/DEBIAN"
install -m 0644 "$here/debian/copyright" "$root/usr/share/doc/hostpulse/copyright"
install -D -m 0644 "$here/debian/lintian-overrides" "$root/usr/share/lintian/overrides/hostpulse"
# Debian's changelog for a native package: one entry for this build.
date_r="$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
printf 'hostpulse (%s) unstable; urgency=medium\n\n  * Release %s (see CHANGELOG.md upstream).\n\n -- hostpulse maintainers <hostpulse@example.org>  %s\n' \
  "$version" "$version" "$date_r" | gzip -9n >"$root/usr/share/doc/hostpulse/changelog.gz"
"$here/manpage.sh" "$work/hostpulse" "$version" "$date_r" | gzip -9n >"$root/usr/share/man/man1/hostpulse.1.gz"
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$root/DEBIAN/"
echo /etc/hostpulse/hostpulse.env >"$root/DEBIAN/conffiles"
# The shared libraries node links (libc6, libstdc++6, libgcc-s1: all in Debian's minbase).
mkdir -p "$work/shlibs/debian"
printf 'Source: hostpulse\n\nPackage: hostpulse\nArchitecture: amd64\n' >"$work/shlibs/debian/control"
depends="$(cd "$work/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/hostpulse" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[ -n "$depends" ] || { say "dpkg-shlibdeps found no dependencies"; exit 1; }
size_kb="$(du -k -s --exclude=DEBIAN "$root" | cut -f1)"
cat >"$root/DEBIAN/control" <<CONTROL
Package: hostpulse
Version: $version
Architecture: amd64
Maintainer: hostpulse maintainers <hostpulse@example.org>
Installed-Size: $size_kb
Depends: $depends
Section: admin
Priority: optional
Description: host metrics agent for Prometheus (Pushgateway, remote write)
 hostpulse samples per-process and host memory, CPU, OOM kills and
 connections from /proc and delivers them to a Prometheus Pushgateway, by
 remote write, to Graphite or statsd, or serves them for scraping.
 .
 This package holds one self-contained executable (Node.js runtime inside),
 a hardened systemd unit and its settings file. Installing starts nothing:
 set HOSTPULSE_PUSHGATEWAY_URL in /etc/hostpulse/hostpulse.env, then
 systemctl enable --now hostpulse.
CONTROL
deb="$out/hostpulse_${version}_amd64.deb"
# --root-owner-group: every file root:root without fakeroot.
dpkg-deb --root-owner-group -Z"${PACKAGE_DEB_COMPRESSION:-xz}" --build "$root" "$deb" >/dev/null

say "hostpulse-${version}-linux-x64.tar.gz"
tardir="$work/tar/hostpulse-${version}-linux-x64"
install -D -m 0755 "$work/hostpulse" "$tardir/hostpulse"
install -m 0644 "$unit" deploy/systemd/hostpulse.env "$tardir/"
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$date_r" \
  -c "hostpulse-${version}-linux-x64" | gzip -9n >"$out/hostpulse-${version}-linux-x64.tar.gz"

(cd "$out" && sha256sum hostpulse "hostpulse_${version}_amd64.deb" "hostpulse-${version}-linux-x64.tar.gz" >SHA256SUMS)
say "done: $out"
ls -l "$out" >&2
