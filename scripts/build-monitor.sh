#!/bin/sh
# Builds floe-monitor (Sources/floe-monitor/monitor.c) with cc into DIR, static when the C library
# allows it: a monitor runs beside every container, so its memory counts per instance (about 66 KiB
# of PSS static, against about 460 KiB for the build swiftc links with the Swift runtime).
#   scripts/build-monitor.sh DIR    (DIR: where floed is, e.g. .build/release)
set -eu
dir=${1:?usage: build-monitor.sh DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-cc}
mkdir -p "$dir"
if ! "$cc" -O2 -Wall -Wextra -static -o "$dir/floe-monitor.tmp" "$here/Sources/floe-monitor/monitor.c" 2>/dev/null; then
  echo "build-monitor: no static C library; building floe-monitor dynamically" >&2
  "$cc" -O2 -Wall -Wextra -o "$dir/floe-monitor.tmp" "$here/Sources/floe-monitor/monitor.c"
fi
mv -f "$dir/floe-monitor.tmp" "$dir/floe-monitor"
