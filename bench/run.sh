#!/usr/bin/env bash
# floe's benchmark suite (issue 5): `make bench` (full) or `make bench-quick` (what CI runs).
#
#   bash bench/run.sh [--quick] [bench.py options...]
#
# Builds floe in release mode, the tiny server and the spawn-limit program, installs the peers when
# they are missing (supervisord from PyPI, runit and s6 from Debian), then runs bench/bench.py, which
# prints the table and writes it to bench/RESULTS.md. FLOE_BIN=DIR uses floed and floectl from DIR
# instead of building them. Everything it starts is stopped on exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
mkdir -p "$OUT"

if [ "$*" = --quick ]; then command="make bench-quick"; elif [ $# = 0 ]; then command="make bench"; else
  command="bash bench/run.sh $*"
fi

echo "==> building tinyserver and spawnlimit" >&2
cc -Wall -Wextra -O2 -o "$OUT/tinyserver" bench/tinyserver.c
cc -Wall -Wextra -O2 -o "$OUT/spawnlimit" bench/spawnlimit.c

if [ -z "${FLOE_BIN:-}" ]; then
  echo "==> swift build -c release (log: $OUT/build.log; the first build takes several minutes)" >&2
  if ! swift build -c release >"$OUT/build.log" 2>&1; then
    tail -n 40 "$OUT/build.log" >&2
    exit 1
  fi
  FLOE_BIN=$(swift build -c release --show-bin-path)
  sh scripts/build-monitor.sh "$FLOE_BIN"
fi

# The peers, installed the ordinary way when missing. Without them the bench still measures floe.
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
peers=(--no-peers)
if ! command -v supervisord >/dev/null; then
  echo "==> installing supervisor (PyPI)" >&2
  python3 -m pip install --quiet supervisor >&2 ||
    python3 -m pip install --quiet --break-system-packages supervisor >&2 || true
  hash -r
fi
missing=""
command -v runsvdir >/dev/null || missing="$missing runit"
command -v s6-svscan >/dev/null || missing="$missing s6"
if [ -n "$missing" ]; then
  echo "==> installing$missing (Debian)" >&2
  { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >&2 || true
fi
if command -v supervisord >/dev/null && command -v supervisorctl >/dev/null && command -v runsvdir >/dev/null &&
  command -v s6-svscan >/dev/null && command -v s6-svscanctl >/dev/null; then
  peers=()
else
  echo "warning: a peer (supervisord, runsvdir, s6-svscan) could not be installed; measuring floe only" >&2
fi

# 1,000 instances, their probes and the peers' supervisors need more descriptors than the default.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

WORK=$(mktemp -d "${TMPDIR:-/tmp}/floe-bench-XXXXXX")
chmod 755 "$WORK"
cleanup() {
  python3 bench/bench.py --cleanup --workdir "$WORK" --tinyserver "$OUT/tinyserver" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status=0
# A full run's table is the one README quotes (bench/RESULTS.md); a quick run's stays in bench/out/.
results=bench/RESULTS.md
case " $* " in *" --quick "*) results=$OUT/RESULTS.md ;; esac
python3 bench/bench.py --floed "$FLOE_BIN/floed" --floectl "$FLOE_BIN/floectl" --spawnlimit "$OUT/spawnlimit" \
  --tinyserver "$OUT/tinyserver" --workdir "$WORK" --out "$results" --command "$command" \
  ${peers[@]+"${peers[@]}"} "$@" || status=$?
[ $status = 0 ] && rm -rf "$WORK"
exit $status
