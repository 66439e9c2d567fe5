#!/usr/bin/env bash
# Installs the built hostpulse agent as a systemd service (see --help).
# Idempotent: everything is staged in a temp dir first and compared with what
# is installed; only what differs is replaced, and a run that finds nothing to
# do says so and touches nothing.
set -euo pipefail
umask 022

PROG=hostpulse-install
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}
PREFIX=/opt/hostpulse
UNIT_PATH=/etc/systemd/system/hostpulse.service
ENV_PATH=/etc/hostpulse/hostpulse.env
LINK_PATH=/usr/local/bin/hostpulse
NODE_MIN_MAJOR=20

usage() {
  cat <<EOF
Usage: deploy/install.sh [--package FILE.deb] [--uninstall] [--help]

Installs the built hostpulse agent (run \`npm ci && npm run build\` first):
  $PREFIX            code (dist/), production node_modules, bin/hostpulse launcher
  $LINK_PATH  link to the launcher
  $UNIT_PATH
  $ENV_PATH  settings; created from deploy/systemd/hostpulse.env
                                  only when absent, never overwritten
then, when systemd is running, enables the service and starts it (or restarts
it when the code or unit changed). Running it again changes nothing.

  --package FILE.deb
                install the package \`npm run package\` built (out/package/) with
                apt-get instead: /usr/bin/hostpulse, no Node.js needed; it starts
                nothing until \`systemctl enable --now hostpulse\`
  --uninstall   stop and disable the service, delete this host's group from
                the Pushgateway (hostpulse forget, with the settings in
                $ENV_PATH), remove the code, the link and the unit;
                keep $ENV_PATH
  --help        this text

Environment:
  DESTDIR=DIR   stage everything under DIR; touch nothing else, call no systemctl
  NODE=PATH     the Node.js ($NODE_MIN_MAJOR+) binary the service runs (default: node on PATH)

Needs: Node.js $NODE_MIN_MAJOR+, npm (to install the production dependencies from
package-lock.json, from its cache when it can), systemd, root (unless DESTDIR).
EOF
}

say() { echo "$PROG: $*"; }
die() { echo "$PROG: error: $*" >&2; exit 1; }

MODE=install
PACKAGE=
while [ $# -gt 0 ]; do
  arg=$1
  shift
  case $arg in
    --package)
      [ $# -gt 0 ] || { echo "$PROG: --package needs a .deb" >&2; exit 2; }
      PACKAGE=$1
      shift
      ;;
    --uninstall) MODE=uninstall ;;
    -h | --help) usage; exit 0 ;;
    *) echo "$PROG: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

# The package path: apt resolves its few Depends (libc6, libstdc++6, libgcc-s1) and dpkg
# keeps the env file on upgrades; nothing below (staging /opt/hostpulse) applies.
if [ -n "$PACKAGE" ]; then
  [ -z "$DESTDIR" ] || die "--package installs with apt-get and cannot stage under DESTDIR"
  [ -f "$PACKAGE" ] || die "no such package: $PACKAGE"
  [ "$MODE" = install ] || die "--package with --uninstall: use apt-get remove hostpulse (or purge)"
  # apt-get takes a local file only as a path (./x.deb), never as a bare name.
  case $PACKAGE in /*) ;; *) PACKAGE=./$PACKAGE ;; esac
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$PACKAGE"
  say "installed $PACKAGE; set HOSTPULSE_PUSHGATEWAY_URL in $ENV_PATH, then: systemctl enable --now hostpulse"
  exit 0
fi

systemd_running() { [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; }

# What is missing, all at once, so one run tells the whole story.
check_prerequisites() {
  local missing=()
  if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
    missing+=("root: run as root (or with DESTDIR=DIR to stage without touching the system)")
  fi
  NODE=${NODE:-$(command -v node || true)}
  if [ -z "$NODE" ] || [ ! -x "$NODE" ]; then
    missing+=("Node.js $NODE_MIN_MAJOR+: no node on PATH (install it system-wide, e.g. the nodejs package, or set NODE=/path/to/node)")
  else
    local major
    major=$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$major" -lt "$NODE_MIN_MAJOR" ]; then
      missing+=("Node.js $NODE_MIN_MAJOR+: $NODE is version $("$NODE" --version 2>/dev/null || echo unknown)")
    fi
    case $NODE in
      /home/* | /root/* | /run/user/*)
        missing+=("Node.js outside home directories: $NODE is hidden from the service by ProtectHome=yes; install Node.js system-wide or set NODE=") ;;
    esac
  fi
  command -v npm >/dev/null || missing+=("npm: needed to install the production dependencies (Debian: apt-get install npm)")
  [ -f "$SRC/dist/agent/cli/main.js" ] || missing+=("a built agent: $SRC/dist/agent/cli/main.js is missing (run: npm ci && npm run build)")
  if [ -z "$DESTDIR" ] && ! command -v systemctl >/dev/null; then
    missing+=("systemd: systemctl not found; hostpulse installs as a systemd service (use DESTDIR=DIR to only stage the files)")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "$PROG: cannot install, missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
  fi
}

# One line per file: path, type, mode, and content hash or link target.
# Two trees with the same manifest are the same install.
manifest() {
  (
    cd "$1"
    find . -printf '%P %y %m %l\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}

same_tree() { [ -d "$2" ] && [ "$(manifest "$1")" = "$(manifest "$2")" ]; }

stage_code() {
  local out=$1
  mkdir -p "$out/bin"
  # The production build only (tsconfig.json: agent/, platforms/, package.json):
  # a dist/ that `npm run bench` also built holds bench/, which is never installed.
  mkdir -p "$out/dist"
  local part
  for part in package.json agent platforms; do cp -R "$SRC/dist/$part" "$out/dist/$part"; done
  cp "$SRC/package.json" "$SRC/package-lock.json" "$out/"
  # The exact production tree of the lock file; scripts are not needed (no
  # dependency builds anything) and not run.
  if ! (cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier --prefer-offline --loglevel=error >/dev/null); then
    die "npm ci --omit=dev failed (no network and nothing in the npm cache?)"
  fi
  # Relocatable, so a DESTDIR-staged copy runs where it is; the Node.js binary
  # is fixed at install time because the service's PATH is not the admin's.
  cat >"$out/bin/hostpulse" <<EOF
#!/bin/sh
# hostpulse launcher, written by deploy/install.sh
# A 1 MiB young generation keeps the agent's RSS flat (~73 MB at 4000 processes
# instead of a ~104 MB plateau; see docs/benchmark.md). --single-threaded: V8
# collects and compiles on the agent's thread, without its worker threads and
# their memory (~6 MB less RSS, no more CPU; node refuses it in NODE_OPTIONS).
here=\$(dirname "\$(readlink -f "\$0")")
exec $NODE --max-semi-space-size=1 --single-threaded "\$here/../dist/agent/cli/main.js" "\$@"
EOF
  chmod -R u+rwX,go+rX,go-w "$out"
  chmod 0755 "$out/bin/hostpulse"
}

CHANGED=0
changed() { CHANGED=1; say "$*"; }

# Copy $1 to $2 (with mode $3) unless it is already identical.
install_file() {
  local from=$1 to=$2 mode=$3 what=$4
  if [ -f "$to" ] && cmp -s "$from" "$to" && [ "$(stat -c %a "$to")" = "${mode#0}" ]; then
    say "$what: unchanged ($to)"
    return 1
  fi
  mkdir -p "$(dirname "$to")"
  install -m "$mode" "$from" "$to.tmp.$$"
  mv -f "$to.tmp.$$" "$to"
  changed "$what: installed $to"
}

do_install() {
  check_prerequisites
  local code_changed=0 unit_changed=0
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  stage_code "$TMP/hostpulse"

  local dest="$DESTDIR$PREFIX"
  if same_tree "$TMP/hostpulse" "$dest"; then
    say "code: unchanged ($dest)"
  else
    # Swap the whole tree in one rename so a running agent never sees a mix.
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest.new" "$dest.old"
    cp -a "$TMP/hostpulse" "$dest.new"
    [ -e "$dest" ] && mv "$dest" "$dest.old"
    mv "$dest.new" "$dest"
    rm -rf "$dest.old"
    code_changed=1
    changed "code: installed $dest ($("$dest/bin/hostpulse" --version 2>/dev/null || echo 'version unknown'))"
  fi

  if [ "$(readlink "$DESTDIR$LINK_PATH" 2>/dev/null)" = "$PREFIX/bin/hostpulse" ]; then
    say "link: unchanged ($DESTDIR$LINK_PATH)"
  else
    mkdir -p "$(dirname "$DESTDIR$LINK_PATH")"
    ln -sfn "$PREFIX/bin/hostpulse" "$DESTDIR$LINK_PATH"
    changed "link: $DESTDIR$LINK_PATH -> $PREFIX/bin/hostpulse"
  fi

  install_file "$SRC/deploy/systemd/hostpulse.service" "$DESTDIR$UNIT_PATH" 0644 unit && unit_changed=1

  if [ -e "$DESTDIR$ENV_PATH" ]; then
    say "settings: kept existing $DESTDIR$ENV_PATH"
  else
    install -d -m 0755 "$(dirname "$DESTDIR$ENV_PATH")"
    install -m 0640 "$SRC/deploy/systemd/hostpulse.env" "$DESTDIR$ENV_PATH"
    changed "settings: installed $DESTDIR$ENV_PATH (edit HOSTPULSE_PUSHGATEWAY_URL, then: systemctl restart hostpulse)"
  fi

  if [ -n "$DESTDIR" ]; then
    say "staged under $DESTDIR; systemctl not called"
  elif ! systemd_running; then
    say "systemd is not running here (no /run/systemd/system): installed, not enabled or started"
  else
    [ $unit_changed -eq 1 ] && systemctl daemon-reload
    if ! systemctl is-enabled --quiet hostpulse.service; then
      systemctl enable --quiet hostpulse.service
      changed "service: enabled"
    fi
    if ! systemctl is-active --quiet hostpulse.service; then
      systemctl start hostpulse.service
      changed "service: started"
    elif [ $code_changed -eq 1 ] || [ $unit_changed -eq 1 ]; then
      systemctl restart hostpulse.service
      changed "service: restarted"
    else
      say "service: running, unchanged"
    fi
  fi
  [ $CHANGED -eq 0 ] && say "nothing changed"
  return 0
}

# The Pushgateway keeps a host's last push forever (and HostpulseMissingPushes
# firing): delete this host's group with the settings the service ran with.
# A gateway that cannot be reached or refuses does not stop the uninstall.
forget_this_host() {
  local bin="$DESTDIR$PREFIX/bin/hostpulse" line name value out
  [ -x "$bin" ] || return 0
  local -a vars=()
  if [ -f "$DESTDIR$ENV_PATH" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        HOSTPULSE_*=*)
          name=${line%%=*} value=${line#*=}
          # systemd's EnvironmentFile strips one pair of quotes; so do we.
          case $value in \"*\" | \'*\') value=${value:1:${#value}-2} ;; esac
          vars+=("$name=$value") ;;
      esac
    done <"$DESTDIR$ENV_PATH"
  fi
  if out=$(env "${vars[@]}" "$bin" forget --log-level error 2>&1); then
    changed "pushgateway: ${out:-forgot this host}"
  else
    say "pushgateway: could not delete this host's group, continuing (delete it later with: hostpulse fleet prune): ${out//$'\n'/ }"
  fi
}

do_uninstall() {
  if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
    die "run as root (or with DESTDIR=DIR)"
  fi
  if systemd_running && [ -e "$UNIT_PATH" ]; then
    systemctl disable --now --quiet hostpulse.service || say "service: could not stop/disable (continuing)"
    changed "service: stopped and disabled"
  fi
  # After the stop (a running agent would push the group back), before the code goes.
  forget_this_host
  if [ -e "$DESTDIR$UNIT_PATH" ]; then
    rm -f "$DESTDIR$UNIT_PATH"
    changed "unit: removed $DESTDIR$UNIT_PATH"
    systemd_running && systemctl daemon-reload
  fi
  if [ -L "$DESTDIR$LINK_PATH" ] && [ "$(readlink "$DESTDIR$LINK_PATH")" = "$PREFIX/bin/hostpulse" ]; then
    rm -f "$DESTDIR$LINK_PATH"
    changed "link: removed $DESTDIR$LINK_PATH"
  fi
  if [ -e "$DESTDIR$PREFIX" ]; then
    rm -rf "$DESTDIR$PREFIX"
    changed "code: removed $DESTDIR$PREFIX"
  fi
  [ -e "$DESTDIR$ENV_PATH" ] && say "settings: kept $DESTDIR$ENV_PATH (remove it by hand if no longer wanted)"
  [ $CHANGED -eq 0 ] && say "nothing changed (not installed)"
  return 0
}

if [ "$MODE" = uninstall ]; then do_uninstall; else do_install; fi
