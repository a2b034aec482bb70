#!/usr/bin/env python3
"""Cold start alone, for profiling: one floed, N services dropped at once, time to all READY and
floed's CPU time (utime + stime) during it, per N and repeat. Uses bench.py's floed helpers.

    cc -O2 -o bench/out/tinyserver bench/tinyserver.c
    python3 bench/cold_start.py --bin "$(swift build -c release --show-bin-path)" \\
        --tinyserver bench/out/tinyserver --n 100,1000 --repeat 2 [--perf N --perf-out FILE]

`--perf N` records the first cold start of N with `perf record -g` (then `perf report --no-children`).
Compare two builds in the same window: the machine's load moves wall times more than CPU times.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with floed")
    parser.add_argument("--tinyserver", required=True)
    parser.add_argument("--n", default="100,1000", help="comma-separated N (100,1000)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--port-base", type=int, default=30000)
    parser.add_argument("--perf", type=int, default=0, help="perf record the first cold start of this N")
    parser.add_argument("--perf-out", default="perf.data")
    a = parser.parse_args()
    tinyserver = os.path.abspath(a.tinyserver)
    args = argparse.Namespace(floed=os.path.join(a.bin, "floed"), tinyserver=tinyserver,
                              ingress_ports="19400-19409")
    work = tempfile.mkdtemp(prefix="floe-cold-")
    os.chmod(work, 0o755)
    floe = bench.Floe(args, os.path.join(work, "floe"))
    port = a.port_base
    try:
        floe.start()
        pid = floe.process.pid
        for n in [int(x) for x in a.n.split(",")]:
            for run in range(a.repeat):
                services = {f"c{n}r{run}x{i:04d}": port + i for i in range(n)}
                port += n
                perf = None
                if a.perf == n and run == 0:
                    perf = subprocess.Popen(["perf", "record", "-g", "-o", a.perf_out, "-p", str(pid)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(1.0)
                cpu = bench.cpu_seconds(pid)
                start = floe.drop(services)
                finish = floe.wait_all_ready(list(services), start + max(120, n * 0.5))
                cpu = bench.cpu_seconds(pid) - cpu
                if perf:
                    perf.send_signal(2)
                    perf.wait()
                print(f"N={n} run={run} wall_ms={bench.ms(finish - start):.0f} floed_cpu_s={cpu:.2f} "
                      f"rss_kib={bench.memory_kib(pid)[0]}", flush=True)
                floe.remove(list(services))
    finally:
        floe.stop()
        bench.cleanup(work, tinyserver)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
