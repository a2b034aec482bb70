#!/bin/sh
# Installs floe: builds release binaries, installs floed and floectl, the systemd unit, the
# sysusers.d and tmpfiles.d entries and the default config (kept if present), then creates the floe
# user and group and floe's directories and reloads systemd. Safe to run again (upgrades in place).
#
#   sudo deploy/install.sh                  build and install under /usr/local
#   sudo deploy/install.sh --now            ... and enable and (re)start floed
#   deploy/install.sh --dry-run             print what would be done
#   deploy/install.sh --destdir /tmp/pkg    install into a staging root (packaging; no system changes)
#
# Options:
#   --prefix DIR     where binaries go: DIR/bin (default /usr/local)
#   --destdir DIR    prepend DIR to every installed path and skip sysusers/tmpfiles/systemctl
#   --skip-build     install the binaries already in .build/release
#   --now            enable floed and restart it once installed (needs a running systemd)
#   --dry-run        print the commands instead of running them
# Environment: SWIFT (the swift executable; default: found in PATH or /opt/swift/usr/bin).
set -eu

prefix=/usr/local
destdir=
build=yes
now=no
dry_run=no

usage() { sed -n '2,20s/^# \{0,1\}//p' "$0"; }
die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; destdir=$2; shift 2 ;;
    --destdir=*) destdir=${1#--destdir=}; shift ;;
    --skip-build) build=no; shift ;;
    --now) now=yes; shift ;;
    --dry-run) dry_run=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done
case "$prefix" in /*) ;; *) die "--prefix must be an absolute path, not '$prefix'" ;; esac
prefix=${prefix%/}
if [ -n "$destdir" ]; then
    case "$destdir" in /*) ;; *) destdir=$(pwd)/$destdir ;; esac
    destdir=${destdir%/}
fi

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# run CMD...: print it, and run it unless --dry-run.
run() {
    echo "+ $*"
    [ "$dry_run" = yes ] || "$@"
}

if [ "$dry_run" = no ] && [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
    die "installing into the system needs root: run it with sudo (or try --dry-run / --destdir)"
fi

# 1. Build, as the user who owns the checkout when run through sudo (so .build stays theirs).
if [ "$build" = yes ]; then
    swift=${SWIFT:-}
    if [ -z "$swift" ]; then
        swift=$(command -v swift || true)
        [ -n "$swift" ] || { [ -x /opt/swift/usr/bin/swift ] && swift=/opt/swift/usr/bin/swift; } || true
    fi
    [ -n "$swift" ] || die "swift not found: set SWIFT=/path/to/swift, or build first and pass --skip-build"
    owner=$(stat -c %U "$root")
    if [ "$(id -u)" -eq 0 ] && [ "$owner" != root ] && command -v runuser >/dev/null 2>&1; then
        run runuser -u "$owner" -- "$swift" build -c release --package-path "$root" --product floed
        run runuser -u "$owner" -- "$swift" build -c release --package-path "$root" --product floectl
        run runuser -u "$owner" -- "$swift" build -c release --package-path "$root" --product floe-monitor
    else
        run "$swift" build -c release --package-path "$root" --product floed
        run "$swift" build -c release --package-path "$root" --product floectl
        run "$swift" build -c release --package-path "$root" --product floe-monitor
    fi
fi
bin_dir=$root/.build/release
# floe-monitor runs beside every container: built static by cc (see scripts/build-monitor.sh).
if [ "$build" = yes ] && [ "$dry_run" = no ]; then
    run sh "$root/scripts/build-monitor.sh" "$bin_dir"
fi
if [ "$dry_run" = no ]; then
    for binary in floed floectl floe-monitor; do
        [ -x "$bin_dir/$binary" ] || die "$bin_dir/$binary is missing: build it (swift build -c release) or drop --skip-build"
    done
fi

# 2. Files. The config is installed only when absent, so local changes survive upgrades.
run install -d -m 0755 "$destdir$prefix/bin" "$destdir/etc/systemd/system" "$destdir/usr/lib/sysusers.d" \
    "$destdir/usr/lib/tmpfiles.d" "$destdir/usr/lib/sysctl.d" "$destdir/etc/floe"
# floe-monitor goes beside floed: floed looks for it there.
run install -m 0755 "$bin_dir/floed" "$bin_dir/floectl" "$bin_dir/floe-monitor" "$destdir$prefix/bin/"
unit_text=$(sed "s|/usr/local/bin/floed|$prefix/bin/floed|g" "$here/floed.service")
echo "+ write $destdir/etc/systemd/system/floed.service (ExecStart=$prefix/bin/floed)"
if [ "$dry_run" = no ]; then
    tmp=$(mktemp "$destdir/etc/systemd/system/.floed.service.XXXXXX")
    printf '%s\n' "$unit_text" >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$destdir/etc/systemd/system/floed.service"
fi
run install -m 0644 "$here/floe-sysusers.conf" "$destdir/usr/lib/sysusers.d/floe.conf"
run install -m 0644 "$here/floe-tmpfiles.conf" "$destdir/usr/lib/tmpfiles.d/floe.conf"
run install -m 0644 "$here/floe-sysctl.conf" "$destdir/usr/lib/sysctl.d/60-floe.conf"
if [ -e "$destdir/etc/floe/floed.yaml" ]; then
    echo "# keeping $destdir/etc/floe/floed.yaml (the shipped default is $here/floed.yaml)"
else
    run install -m 0644 "$here/floed.yaml" "$destdir/etc/floe/floed.yaml"
fi

# 3. System state: user and group, directories, systemd's view of the unit.
if [ -n "$destdir" ]; then
    echo "# --destdir: not creating users or directories, not touching systemd"
    exit 0
fi
if command -v systemd-sysusers >/dev/null 2>&1; then
    run systemd-sysusers /usr/lib/sysusers.d/floe.conf
else
    # Instances run as the floe user by default; without it they stay PENDING (they never fall back to root).
    getent group floe >/dev/null || run groupadd --system floe
    id floe >/dev/null 2>&1 || run useradd --system --gid floe --no-create-home --home-dir / --shell /usr/sbin/nologin floe
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
    run systemd-tmpfiles --create /usr/lib/tmpfiles.d/floe.conf
else
    echo "# systemd-tmpfiles not found: create /run/floe and /var/lib/floe/stage yourself (0750 root:floe)"
fi
# Instance networking forwards the instances' outbound traffic (floed.service cannot change sysctls).
if command -v sysctl >/dev/null 2>&1; then
    run sysctl -q -p /usr/lib/sysctl.d/60-floe.conf
fi
if [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
    if [ "$now" = yes ]; then
        run systemctl enable floed.service
        run systemctl restart floed.service
    else
        echo "# installed; start floed with: systemctl enable --now floed"
    fi
else
    echo "# systemd is not running here: start floed by hand (floed --config /etc/floe/floed.yaml)"
    [ "$now" = no ] || die "--now needs a running systemd"
fi
