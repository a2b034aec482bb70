#!/usr/bin/env python3
"""Writes the symbol ordering file that release links of floed use (Sources/floed/floed.order).

Why: the kernel maps floed's code in whole page-cache folios (64 KiB here: ext4's large folios, and
fault-around maps 64 KiB anyway), so one function run in a 64 KiB stretch makes all of it resident. Linked
in the default order, the code floed runs is spread over most of its 28 MB of text and nearly all of that
becomes resident (bench/text_residency.py shows it). lld's --symbol-ordering-file puts the listed functions
first, side by side, so what floed runs fills few folios.

How: runs a copy of DIR/floed under valgrind's callgrind (which records every function that runs), drives
it through the workload of bench.py's floe run in quick form (services dropped one by one and ten at once,
the ingress, steady state, crashes and restarts, status queries, service functions, removal, shutdown),
and lists the functions that ran, the most-run first. Functions the workload misses still work: they are
only placed after the listed ones. Rerun it after large changes (stale names are ignored by the link):

    swift build -c release && python3 bench/text_order.py --bin "$(swift build -c release --show-bin-path)"

Needs valgrind (Debian: valgrind) and root (as bench.py: instances run as root).
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "Sources", "floed", "floed.order")


def callgrind_functions(path):
    """{function name: instructions run in it (self cost)} from a callgrind output file."""
    names = {}  # compressed id -> name
    cost = collections.Counter()
    current = None
    in_call = False
    fn_line = re.compile(r"^fn=(?:\((\d+)\))?\s*(.*)$")
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("fn="):
                m = fn_line.match(line.rstrip("\n"))
                ident, name = m.group(1), m.group(2)
                if ident is not None:
                    if name:
                        names[ident] = name
                    name = names.get(ident, "")
                current = re.sub(r"'\d+$", "", name)  # callgrind's recursion-level suffix
                cost.setdefault(current, 0)
                in_call = False
            elif line.startswith("cfn="):
                m = re.match(r"^cfn=(?:\((\d+)\))?\s*(.*)$", line.rstrip("\n"))
                if m.group(1) is not None and m.group(2):
                    names[m.group(1)] = m.group(2)
            elif line.startswith("calls="):
                in_call = True  # the next cost line is the call's inclusive cost, not the caller's own
            elif current is not None and line[:1] and (line[:1].isdigit() or line[:1] in "+-*"):
                parts = line.split()
                if in_call:
                    in_call = False
                elif len(parts) >= 2:
                    try:
                        cost[current] += int(parts[1])
                    except ValueError:
                        pass
    return cost


def defined_functions(binary):
    """Names of the functions (text symbols) the binary defines."""
    out = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in ("t", "T", "W", "w"):
            names.add(parts[2])
    return names


def run_workload(a, wrapper, workdir):
    sys.path.insert(0, HERE)
    import bench  # noqa: E402  (bench/bench.py)
    import function_calls  # noqa: E402

    args = argparse.Namespace(
        floed=wrapper, floectl=os.path.join(a.bin, "floectl"), tinyserver=a.tinyserver, quick=True,
        trials=5, scale=[10], peer_n=10, crash_trials=2, query_trials=3, steady=2.0, ingress_requests=200,
        ingress_ports=a.ingress_ports, port_base=a.port_base)
    results = {}
    try:
        bench.floe_run(args, results, workdir)
    finally:
        bench.cleanup(workdir, args.tinyserver)
    del function_calls
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True, help="directory of a release floed and floectl")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"ordering file to write (default {DEFAULT_OUT})")
    p.add_argument("--tinyserver", default=os.path.join(HERE, "out", "tinyserver"))
    p.add_argument("--port-base", type=int, default=36000)
    p.add_argument("--ingress-ports", default="36990-36999")
    p.add_argument("--keep", action="store_true", help="keep the work directory (callgrind output, logs)")
    a = p.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("text_order.py needs valgrind (apt-get install valgrind)")
    if not os.path.exists(a.tinyserver):
        os.makedirs(os.path.dirname(a.tinyserver), exist_ok=True)
        subprocess.run(["cc", "-O2", "-o", a.tinyserver, os.path.join(HERE, "tinyserver.c")], check=True)
    workdir = tempfile.mkdtemp(prefix="floe-order-")
    os.chmod(workdir, 0o755)
    try:
        # valgrind reads a binary's debug information at start; without it, it starts in seconds.
        binary = os.path.join(workdir, "floed")
        subprocess.run(["objcopy", "--strip-debug", os.path.join(a.bin, "floed"), binary], check=True)
        out = os.path.join(workdir, "callgrind.out")
        wrapper = os.path.join(workdir, "floed-under-callgrind")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n"
                    f"exec valgrind --tool=callgrind --demangle=no --callgrind-out-file={out} --log-file={workdir}/valgrind.log "
                    f"{binary} \"$@\"\n")
        os.chmod(wrapper, 0o755)
        run_workload(a, wrapper, os.path.join(workdir, "run"))
        if not os.path.exists(out):
            raise SystemExit(f"callgrind wrote no output (see {workdir}/valgrind.log)")
        cost = callgrind_functions(out)
        defined = defined_functions(binary)
        ran = [name for name, _ in sorted(cost.items(), key=lambda kv: (-kv[1], kv[0])) if name in defined]
        with open(a.out, "w") as f:
            f.write("".join(name + "\n" for name in ran))
        print(f"{len(ran)} functions ran ({len(cost)} names in callgrind's output); wrote {a.out}")
    finally:
        if a.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
