#!/usr/bin/env python3
"""floe's benchmark suite (issue 5): floe against the physical limit and its peers, in one run.

Run by bench/run.sh, which builds what this needs and passes the paths:

    bench.py --bin DIR --floed PATH --floectl PATH --spawnlimit PATH --tinyserver PATH [--quick]

Every figure is taken in this one run, on this machine: floe's, the limit's (bench/spawnlimit.c) and
the peers' (supervisord, runit's runsvdir, s6's s6-svscan). The table goes to stdout and to
bench/RESULTS.md. Exit status 1 when something is actually broken (a service never READY, a peer that
never starts its programs), never because a figure is slow.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import function_calls

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


class BenchError(Exception):
    """Something is broken (not merely slow): the bench exits 1 with this message."""


def now():
    return time.monotonic()


def ms(seconds):
    return seconds * 1000.0


def percentile(values, p):
    """The p-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(round(p / 100.0 * len(ordered) + 0.5))))
    return ordered[rank - 1]


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Processes, ports, memory


def accepts(port):
    """True when 127.0.0.1:port accepts a TCP connection now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(1.0)
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def wait_accepting(ports, deadline, what):
    """Waits until every port accepts; returns the time the last one did."""
    for port in ports:
        while not accepts(port):
            if now() > deadline:
                raise BenchError(f"{what}: 127.0.0.1:{port} is not accepting connections in time")
            time.sleep(0.0002)
    return now()


def cmdlines():
    """(pid, argv as a list of bytes) of every process in /proc whose command line can be read."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                yield int(entry), f.read().split(b"\0")
        except OSError:
            continue


def pids_of(binary, port=None):
    """Pids of live processes whose argv is [binary, PORT] (or [binary, port] when given)."""
    found = []
    for pid, argv in cmdlines():
        if len(argv) >= 2 and argv[0].decode(errors="replace") == binary:
            if port is None or argv[1] == str(port).encode():
                if not is_gone(pid):
                    found.append(pid)
    return found


def is_gone(pid):
    """True when pid has exited (missing or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


def signal_if_alive(pid, sig):
    """Sends sig to pid; a process that has just exited is not an error."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def kill_and_wait_gone(pid, deadline):
    signal_if_alive(pid, signal.SIGKILL)
    while not is_gone(pid):
        if now() > deadline:
            raise BenchError(f"pid {pid} did not die after SIGKILL")
        time.sleep(0.0001)


def children_pids(pid):
    """Direct children of pid (all its threads)."""
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    out.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def memory_kib(pid):
    """(RSS, PSS) of pid in KiB; PSS counts shared pages fairly between processes."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss = pss = int(f.read().split()[1]) * PAGE_KIB
        except OSError:
            pass
    return rss, pss


def monitors_pss(socket_dir):
    """(count, PSS sum in KiB) of the floe-monitor processes of the floed whose socket is in
    `socket_dir` (their command line is "floe-monitor SOCKET_DIR/runs/RUN")."""
    count = total = 0
    for pid, words in cmdlines():
        if comm_of(pid) != "floe-monitor":
            continue
        if len(words) > 1 and words[1].decode(errors="replace").startswith(socket_dir + "/runs/"):
            count += 1
            total += memory_kib(pid)[1]
    return count, total


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def comm_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# floed


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over floed's Unix socket."""

    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.socket_path)
        self.sock = s


class Floe:
    """One floed on temporary directories, and the bench's view of it."""

    POOL = "benchpool"

    def __init__(self, args, root):
        self.args = args
        self.root = root
        self.stage = os.path.join(root, "stage")
        self.state = os.path.join(root, "state")
        self.socket = os.path.join(root, "floed.sock")
        self.process = None
        self.conn = None
        self.names = {}  # service name -> port

    # -- lifecycle

    def start(self):
        os.makedirs(self.stage)
        os.makedirs(self.state)
        config = os.path.join(self.root, "floed.yaml")
        with open(config, "w") as f:
            # As root, instances run as defaultUser (floe, missing on CI machines); the peers run as root too.
            f.write("defaultUser: root\n")
            # The host network, as the peers and the spawn limit have: the workload listens on 127.0.0.1.
            f.write("network: host\n")
            f.write(f"ingressPorts: {self.args.ingress_ports}\n")
        self.log = open(os.path.join(self.root, "floed.log"), "w")
        self.process = subprocess.Popen(
            [self.args.floed, "--stage", self.stage, "--state-dir", self.state, "--socket", self.socket,
             "--config", config, "--log-target", "stderr", "--log-level", "warning"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)  # Ctrl-C is the bench's to handle
        deadline = now() + 60
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"floed exited at start (code {self.process.returncode}); see {self.log.name}")
            try:
                if self.get("/v1/info")[0] == 200:
                    break
            except OSError:
                pass
            if now() > deadline:
                raise BenchError("floed did not answer on its socket within 60 s")
            time.sleep(0.02)
        self.write(self.POOL, "computePool: {minNodes: 1, maxNodes: 400, instanceFamily: HIGHMEM_X64_L}\n")
        while not any(p.get("name", "").upper() == self.POOL.upper() for p in self.get("/v1/pools")[1] or []):
            if now() > deadline:
                raise BenchError("floed did not load the bench's compute pool within 60 s")
            time.sleep(0.02)

    def stop(self):
        """Removes every service (so its instances stop), then stops floed."""
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                self.remove(list(self.names), wait=True, timeout=120)
        except (BenchError, OSError) as error:
            log(f"floe cleanup: {error}")
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # -- API

    def get(self, path):
        """(HTTP status, decoded JSON or None) of GET path, on one kept-alive connection."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = UnixHTTPConnection(self.socket)
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read()
                try:
                    return response.status, json.loads(body)
                except ValueError:
                    return response.status, None
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    # -- stage files

    def write(self, name, text):
        """Writes a dot-file; returns the rename that puts it in the stage."""
        hidden = os.path.join(self.stage, f".{name}.yaml.tmp")
        with open(hidden, "w") as f:
            f.write(text)
        os.rename(hidden, os.path.join(self.stage, f"{name}.yaml"))

    def prepare(self, name, port):
        """Writes the service's file as a dot-file; the caller renames it in (see drop)."""
        text = (
            f"service:\n  computePool: {self.POOL}\n"
            "spec:\n  containers:\n  - name: web\n    image: /bench/tinyserver:latest\n"
            f"    command: [{self.args.tinyserver}, \"{port}\"]\n"
            f"    readinessProbe: {{port: {port}, path: /}}\n"
            "    resources: {requests: {cpu: 10m, memory: 8Mi}}\n"
            f"  endpoints:\n  - {{name: web, port: {port}}}\n")
        hidden = os.path.join(self.stage, f".{name}.yaml.tmp")
        with open(hidden, "w") as f:
            f.write(text)
        self.names[name] = port
        return hidden, os.path.join(self.stage, f"{name}.yaml")

    def drop(self, services):
        """Prepares dot-files for {name: port}, then renames them all in; returns the first rename's time."""
        moves = [self.prepare(name, port) for name, port in services.items()]
        start = now()
        for hidden, final in moves:
            os.rename(hidden, final)
        return start

    def wait_ready(self, name, deadline):
        """Returns the time the status API first says the service is READY."""
        while True:
            remaining = deadline - now()
            if remaining <= 0:
                status = self.get(f"/v1/services/{name}/status")[1]
                raise BenchError(f"floe: {name} not READY in time; status: {json.dumps(status)}")
            code, answer = self.get(f"/v1/services/{name}/wait?for=READY&timeout={remaining:.3f}")
            if code == 200 and answer and answer.get("reached"):
                return now()
            if code == 404:  # not loaded yet
                time.sleep(0.0005)

    def wait_all_ready(self, names, deadline):
        """Returns the time the status API first says every one of `names` is READY: one `POST /v1/wait`
        for them all (as `floectl wait NAME...`), retried while floed has not loaded every file yet. One
        call, so the figure does not include a round trip per service after the last became READY."""
        while True:
            remaining = deadline - now()
            if remaining <= 0:
                raise BenchError(f"floe: {len(names)} services not all READY in time")
            conn = UnixHTTPConnection(self.socket, timeout=remaining + 30)
            try:
                conn.request("POST", "/v1/wait", body=json.dumps({"names": list(names), "for": "READY",
                                                                  "timeout": round(remaining, 3)}),
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                try:
                    answer = json.loads(response.read() or b"null")
                except ValueError:
                    answer = None
            finally:
                conn.close()
            if response.status == 200 and answer and answer.get("reached"):
                return now()
            if response.status == 200 and answer:
                missed = [o for o in answer.get("objects", []) if not o.get("reached")][:3]
                raise BenchError(f"floe: services not READY in time, e.g. {missed}")
            if response.status != 404:  # 404: not every file loaded yet
                raise BenchError(f"floe: POST /v1/wait answered {response.status}: {answer}")
            time.sleep(0.001)

    def remove(self, names, wait=True, timeout=120):
        for name in names:
            try:
                os.unlink(os.path.join(self.stage, f"{name}.yaml"))
            except FileNotFoundError:
                pass
        if not wait:
            return
        gone = {n.upper() for n in names}
        deadline = now() + timeout
        while True:
            rows = self.get("/v1/services")[1] or []
            if not any(r.get("name", "").upper() in gone for r in rows):
                break
            if now() > deadline:
                raise BenchError(f"floe: removed services still listed after {timeout} s")
            time.sleep(0.05)
        ports = [self.names[n] for n in names if n in self.names]
        while any(pids_of(self.args.tinyserver, p) for p in ports[:1] + ports[-1:]):
            if now() > deadline:
                raise BenchError("floe: instances of removed services still run")
            time.sleep(0.05)
        for n in names:
            self.names.pop(n, None)

    def restart_count(self, name):
        rows = self.get(f"/v1/services/{name}/status")[1]
        return rows[0]["restartCount"], rows[0]["status"]


# ---------------------------------------------------------------------------------------------
# The measurements


def floe_run(args, results, workdir):
    """One run of every floe measurement; appends to results[key]."""
    floe = Floe(args, os.path.join(workdir, "floe"))
    port = args.port_base
    try:
        floe.start()
        pid = floe.process.pid
        # 1. Drop-to-READY, one service at a time.
        latencies = []
        last = None
        for trial in range(args.trials):
            name = f"drop{trial:03d}"
            start = floe.drop({name: port})
            latencies.append(ms(floe.wait_ready(name, now() + 120) - start))
            if last is not None:
                floe.remove([last])
            last = name
            port += 1
        results.setdefault("drop_p50", []).append(percentile(latencies, 50))
        results.setdefault("drop_p99", []).append(percentile(latencies, 99))
        # 1b. The ingress: requests through a public endpoint vs to the instance directly.
        ingress(floe, port, results)
        port += 1
        # 3a. Steady state with one instance.
        steady(floe, pid, args.steady, results, "1")
        floe.remove([last])
        # 2. Cold start at each N; crash and status queries at the small N, steady state at the big one.
        for n in args.scale:
            services = {f"s{n}x{i:04d}": port + i for i in range(n)}
            port += n
            pss_before = memory_kib(pid)[1]
            start = floe.drop(services)
            deadline = start + max(120, n * 0.5)
            finish = floe.wait_all_ready(list(services), deadline)
            results.setdefault(f"cold_{n}", []).append(ms(finish - start))
            log(f"floe: {n} services READY in {ms(finish - start):.0f} ms")
            if n == args.peer_n:
                time.sleep(2.5)  # as the peers' memory is read 2.5 s after their programs run
                pss = memory_kib(pid)[1]
                results.setdefault(f"floe_pss_{n}", []).append(pss)
                results.setdefault(f"floe_pss_per_{n}", []).append((pss - pss_before) / n)
                count, total = monitors_pss(os.path.dirname(floe.socket))
                if count:
                    results.setdefault(f"monitor_pss_per_{n}", []).append(total / count)
                crash(floe, list(services.items())[: args.crash_trials], results)
            if n == args.scale[-1]:
                steady(floe, pid, args.steady, results, "N")
                queries(floe, args, services, results)
            floe.remove(list(services))
        # 4. Service-function calls (bench/function_calls.py).
        function_calls.measure(floe, args, results, port, BenchError)
    finally:
        floe.stop()


def timed_gets(host, port, count, path="/"):
    """(requests per second, per-request latencies in ms) of `count` GETs on one kept-alive connection."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    latencies = []
    start = now()
    for _ in range(count):
        t = now()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise BenchError(f"GET http://{host}:{port}{path} answered {response.status}")
        latencies.append(ms(now() - t))
    elapsed = now() - start
    conn.close()
    return count / elapsed, latencies


def ingress(floe, port, results):
    """A service with a public endpoint: requests/s and latency through floed's ingress and direct."""
    name = "ingress0"
    text = (
        f"service:\n  computePool: {floe.POOL}\n"
        "spec:\n  containers:\n  - name: web\n    image: /bench/tinyserver:latest\n"
        f"    command: [{floe.args.tinyserver}, \"{port}\"]\n"
        f"    readinessProbe: {{port: {port}, path: /}}\n"
        "    resources: {requests: {cpu: 10m, memory: 8Mi}}\n"
        f"  endpoints:\n  - {{name: web, port: {port}, public: true}}\n")
    floe.names[name] = port
    floe.write(name, text)
    deadline = now() + 60
    floe.wait_ready(name, deadline)
    url = ""
    while not url:
        code, rows = floe.get(f"/v1/services/{name}/endpoints")
        url = next((r.get("ingress_url", "") for r in rows or [] if r.get("name") == "web"), "") if code == 200 else ""
        if not url:
            if now() > deadline:
                raise BenchError(f"floe: no ingress URL for {name} within 60 s")
            time.sleep(0.02)
    host, ingress_port = url[len("http://"):].rsplit(":", 1)
    count = floe.args.ingress_requests
    timed_gets(host, int(ingress_port), min(count, 100))  # warm-up: connections, caches
    direct_rps, direct = timed_gets("127.0.0.1", port, count)
    via_rps, via = timed_gets(host, int(ingress_port), count)
    log(f"floe: ingress {via_rps:.0f} req/s vs direct {direct_rps:.0f} req/s")
    results.setdefault("ingress_rps", []).append(via_rps)
    results.setdefault("direct_rps", []).append(direct_rps)
    for p in (50, 99):
        results.setdefault(f"ingress_p{p}", []).append(percentile(via, p))
        results.setdefault(f"direct_p{p}", []).append(percentile(direct, p))
    floe.remove([name])


def steady(floe, pid, seconds, results, key):
    time.sleep(min(2.0, seconds))  # let the start-up's work settle
    before = cpu_seconds(pid)
    start = now()
    time.sleep(seconds)
    used = cpu_seconds(pid) - before
    results.setdefault(f"cpu_{key}", []).append(100.0 * used / (now() - start))
    floed_memory(pid, results, key)
    results.setdefault(f"instances_{key}", []).append(len(floe.names))


def floed_memory(pid, results, key):
    """floed's RSS and PSS (results rss_KEY, pss_KEY). The PSS is what the peers are compared by; a release
    floed links the Swift runtime and Foundation statically, so it no longer depends on which other Swift
    programs happen to share those libraries at the moment."""
    rss, pss = memory_kib(pid)
    results.setdefault(f"rss_{key}", []).append(rss)
    results.setdefault(f"pss_{key}", []).append(pss)


def crash(floe, services, results):
    """SIGKILLs one instance of each service; times its replacement listening and READY."""
    listen, ready = [], []
    for name, port in services:
        count, _ = floe.restart_count(name)
        pids = pids_of(floe.args.tinyserver, port)
        if len(pids) != 1:
            raise BenchError(f"floe: expected one process for {name}, found {pids}")
        start = now()
        kill_and_wait_gone(pids[0], start + 10)
        deadline = start + 60
        listen.append(ms(wait_accepting([port], deadline, f"floe restart of {name}") - start))
        while True:
            new_count, status = floe.restart_count(name)
            if new_count > count and status == "READY":
                ready.append(ms(now() - start))
                break
            if now() > deadline:
                raise BenchError(f"floe: {name} not READY again within 60 s of a kill")
            time.sleep(0.0005)
    results.setdefault("crash_listen", []).append(statistics.median(listen))
    results.setdefault("crash_ready", []).append(statistics.median(ready))


def queries(floe, args, services, results):
    names = list(services)
    one = names[0]
    env = dict(os.environ, FLOE_SOCKET=floe.socket)
    cli = []
    for _ in range(args.query_trials):
        start = now()
        done = subprocess.run([args.floectl, "status", one], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        cli.append(ms(now() - start))
        if done.returncode != 0:
            raise BenchError(f"floectl status {one} failed: {done.stderr.decode(errors='replace')}")
    api_one, api_all = [], []
    for _ in range(args.query_trials * 5):
        start = now()
        code, _ = floe.get(f"/v1/services/{one}/status")
        api_one.append(ms(now() - start))
        if code != 200:
            raise BenchError(f"status API of {one} answered {code}")
    for _ in range(args.query_trials):
        start = now()
        code, rows = floe.get("/v1/services")
        api_all.append(ms(now() - start))
        if code != 200 or len(rows) < len(names):
            raise BenchError(f"GET /v1/services answered {code} with {len(rows or [])} rows")
    for key, values in (("cli", cli), ("api_one", api_one), ("api_all", api_all)):
        results.setdefault(f"{key}_p50", []).append(percentile(values, 50))
        results.setdefault(f"{key}_p99", []).append(percentile(values, 99))


def limit_run(args, results):
    """The physical limit: spawnlimit at each N, and tinyserver's own start-to-listen (N=1)."""
    out = subprocess.run([args.spawnlimit, args.tinyserver, str(args.port_base + 3000), "1",
                          str(args.trials)], check=True, capture_output=True, text=True).stdout.split()
    values = [float(v) for v in out]
    results.setdefault("listen_p50", []).append(percentile(values, 50))
    results.setdefault("listen_p99", []).append(percentile(values, 99))
    for n in sorted(set(args.scale + [args.peer_n])):
        out = subprocess.run([args.spawnlimit, args.tinyserver, str(args.port_base + 3000), str(n), "1"],
                             check=True, capture_output=True, text=True).stdout.split()
        results.setdefault(f"limit_{n}", []).append(float(out[0]))


# ---------------------------------------------------------------------------------------------
# Peers


class Peer:
    """A supervisor the way its documentation says to add programs to it."""

    name = ""

    def __init__(self, args, root, ports):
        self.args = args
        self.root = root
        self.ports = ports
        os.makedirs(root)
        self.process = None

    def supervisor_pids(self):
        """The supervisor's own processes (not the programs)."""
        if self.process is None:
            return []
        pids = [self.process.pid]
        for child in children_pids(self.process.pid):
            if comm_of(child) in ("runsv", "s6-supervise"):
                pids.append(child)
        return pids

    def memory_pss(self):
        return sum(memory_kib(p)[1] for p in self.supervisor_pids())

    def ask_to_stop(self):
        raise NotImplementedError

    def stop(self):
        """Asks the supervisor to stop its programs and exit (its own documented way); kills it after 60 s."""
        if self.process is not None and self.process.poll() is None:
            self.ask_to_stop()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class Supervisord(Peer):
    name = "supervisord"

    def start(self):
        self.conf_d = os.path.join(self.root, "conf.d")
        os.makedirs(self.conf_d)
        self.logs = os.path.join(self.root, "logs")
        os.makedirs(self.logs)
        self.sock = os.path.join(self.root, "supervisor.sock")
        self.conf = os.path.join(self.root, "supervisord.conf")
        with open(self.conf, "w") as f:
            f.write(f"[unix_http_server]\nfile={self.sock}\n\n"
                    f"[supervisord]\nnodaemon=true\nlogfile={self.root}/supervisord.log\n"
                    f"pidfile={self.root}/supervisord.pid\nchildlogdir={self.logs}\n\n"
                    "[rpcinterface:supervisor]\n"
                    "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
                    f"[supervisorctl]\nserverurl=unix://{self.sock}\n\n"
                    f"[include]\nfiles = {self.conf_d}/*.conf\n")
        self.process = subprocess.Popen([shutil.which("supervisord"), "-c", self.conf],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = now() + 60
        while self.ctl("status").returncode not in (0, 3):  # 3: no programs
            if now() > deadline or self.process.poll() is not None:
                raise BenchError("supervisord did not start")
            time.sleep(0.1)

    def ctl(self, *words):
        return subprocess.run([shutil.which("supervisorctl"), "-c", self.conf, *words],
                              capture_output=True, text=True)

    def add(self):
        for port in self.ports:
            with open(os.path.join(self.conf_d, f"p{port}.conf"), "w") as f:
                f.write(f"[program:p{port}]\ncommand={self.args.tinyserver} {port}\nautorestart=true\n"
                        f"stdout_logfile={self.logs}/p{port}.log\nredirect_stderr=true\n")
        start = now()
        self.ctl("reread")
        self.ctl("update")
        return start

    def ask_to_stop(self):
        self.process.terminate()  # supervisord stops its programs, then exits


class Runit(Peer):
    name = "runit"

    def start(self):
        self.scan = os.path.join(self.root, "service")
        self.sv = os.path.join(self.root, "sv")
        os.makedirs(self.scan)
        os.makedirs(self.sv)
        self.process = subprocess.Popen([shutil.which("runsvdir"), "-P", self.scan],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

    def service_dirs(self):
        dirs = []
        for port in self.ports:
            d = os.path.join(self.sv, f"p{port}")
            os.makedirs(d)
            run = os.path.join(d, "run")
            with open(run, "w") as f:
                f.write(f"#!/bin/sh\nexec {self.args.tinyserver} {port} >/dev/null 2>&1\n")
            os.chmod(run, 0o755)
            dirs.append(d)
        return dirs

    def add(self):
        dirs = self.service_dirs()
        start = now()
        for d in dirs:  # runit: link the service directory into runsvdir's scanned directory
            os.symlink(d, os.path.join(self.scan, os.path.basename(d)))
        return start

    def ask_to_stop(self):
        # runsvdir on SIGHUP sends each runsv SIGTERM (which stops its service) and exits.
        self.process.send_signal(signal.SIGHUP)


class S6(Runit):
    name = "s6"

    def start(self):
        self.scan = os.path.join(self.root, "scan")
        self.sv = os.path.join(self.root, "sv")
        os.makedirs(self.scan)
        os.makedirs(self.sv)
        self.process = subprocess.Popen([shutil.which("s6-svscan"), self.scan],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        deadline = now() + 30
        while not os.path.exists(os.path.join(self.scan, ".s6-svscan", "control")):
            if now() > deadline or self.process.poll() is not None:
                raise BenchError("s6-svscan did not start")
            time.sleep(0.05)

    def add(self):
        dirs = self.service_dirs()
        start = now()
        for d in dirs:  # s6: service directories in the scan directory, then tell s6-svscan to rescan
            os.symlink(d, os.path.join(self.scan, os.path.basename(d)))
        subprocess.run([shutil.which("s6-svscanctl"), "-a", self.scan], check=True)
        return start

    def ask_to_stop(self):
        # -t: s6-svscan brings every service down, then exits.
        subprocess.run([shutil.which("s6-svscanctl"), "-t", self.scan])


PEERS = [Supervisord, Runit, S6]


def peer_run(args, results, workdir):
    for index, kind in enumerate(PEERS):
        base = args.port_base + 6000 + 1000 * index
        ports = list(range(base, base + args.peer_n))
        peer = kind(args, os.path.join(workdir, kind.name), ports)
        try:
            peer.start()
            time.sleep(0.5)
            pss_before = peer.memory_pss()
            added = peer.add()
            finish = wait_accepting(ports, added + 120, kind.name)
            results.setdefault(f"{kind.name}_add", []).append(ms(finish - added))
            log(f"{kind.name}: {args.peer_n} programs running in {ms(finish - added):.0f} ms")
            time.sleep(2.5)  # s6 and runit hold back a restart of a program that ran under 1 s
            pss = peer.memory_pss()
            results.setdefault(f"{kind.name}_pss", []).append(pss)
            results.setdefault(f"{kind.name}_pss_per", []).append((pss - pss_before) / args.peer_n)
            restarts = []
            for port in ports[: args.crash_trials]:
                pids = pids_of(args.tinyserver, port)
                if len(pids) != 1:
                    raise BenchError(f"{kind.name}: expected one process on port {port}, found {pids}")
                start = now()
                kill_and_wait_gone(pids[0], start + 10)
                restarts.append(ms(wait_accepting([port], start + 60, f"{kind.name} restart") - start))
            results.setdefault(f"{kind.name}_restart", []).append(statistics.median(restarts))
        finally:
            peer.stop()
            for pid in pids_of(args.tinyserver):
                signal_if_alive(pid, signal.SIGKILL)


def cleanup(workdir, tinyserver):
    """Stops whatever the bench started and left running: every process whose command line or working
    directory is in workdir (floed, the peers' supervisors and their runsv / s6-supervise), and every
    tinyserver of this checkout. Graceful first (runsvdir wants SIGHUP to stop its runsv), then SIGKILL."""
    def ours():
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            pid = int(entry)
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                continue
            if is_gone(pid) or not argv or "bench.py" in " ".join(argv[:2]):
                continue
            if argv[0] == tinyserver or cwd.startswith(workdir) or any(workdir in a for a in argv):
                found.append((pid, argv))
        return found

    for pid, argv in ours():
        signal_if_alive(pid, signal.SIGHUP if os.path.basename(argv[0]) == "runsvdir" else signal.SIGTERM)
    deadline = now() + 5
    while ours() and now() < deadline:
        time.sleep(0.1)
    for pid, _ in ours():
        signal_if_alive(pid, signal.SIGKILL)


# ---------------------------------------------------------------------------------------------
# The table


def fmt(values, unit="", digits=1):
    if not values:
        return "—"
    med = statistics.median(values)
    text = f"{med:.{digits}f}{unit}"
    if len(values) > 1:
        text += f" ({min(values):.{digits}f}–{max(values):.{digits}f})"
    return text


def ratio(a, b):
    if not a or not b or statistics.median(b) == 0:
        return "—"
    return f"{statistics.median(a) / statistics.median(b):.3g}"


def machine():
    cores = os.cpu_count()
    with open("/proc/meminfo") as f:
        total = int(f.readline().split()[1]) // 1024
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cores} cores ({model}), {total} MiB memory, Linux {platform.release()}"


def table(args, r):
    big, small = args.scale[-1], args.peer_n
    runs = len(r.get("drop_p50", []))
    lines = [
        f"floe benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"`{args.command}`",
        "",
        f"Machine: {machine()}.",
        f"Runs: {runs}; each cell is the median of the runs (min–max in brackets).",
        "",
        "| measure | floe | reference | floe / reference |",
        "|---|---|---|---|",
        f"| drop-to-READY p50, 1 service (ms) | {fmt(r.get('drop_p50'))} | tinyserver start-to-listen "
        f"{fmt(r.get('listen_p50'))} | overhead {fmt(diff(r.get('drop_p50'), r.get('listen_p50')))} ms |",
        f"| drop-to-READY p99, 1 service (ms) | {fmt(r.get('drop_p99'))} | tinyserver start-to-listen "
        f"{fmt(r.get('listen_p99'))} | overhead {fmt(diff(r.get('drop_p99'), r.get('listen_p99')))} ms |",
    ]
    for n in args.scale:
        lines.append(f"| cold start, {n} services all READY (ms) | {fmt(r.get(f'cold_{n}'), digits=0)} | "
                     f"spawn limit {fmt(r.get(f'limit_{n}'), digits=0)} | "
                     f"{ratio(r.get(f'cold_{n}'), r.get(f'limit_{n}'))} |")
    per_instance = None
    if r.get("rss_N") and r.get("rss_1") and big > 1:
        per_instance = [(a - b) / (big - 1) for a, b in zip(r["rss_N"], r["rss_1"])]
    lines += [
        f"| steady CPU, 1 instance ({args.steady:.0f} s; % of one core) | {fmt(r.get('cpu_1'), digits=2)} | | |",
        f"| steady CPU, {big} instances (% of one core) | {fmt(r.get('cpu_N'), digits=2)} | | |",
        f"| floed RSS, 1 instance (KiB) | {fmt(r.get('rss_1'), digits=0)} | | |",
        f"| floed PSS, 1 instance (KiB) | {fmt(r.get('pss_1'), digits=0)} | | |",
        f"| floed RSS, {big} instances (KiB) | {fmt(r.get('rss_N'), digits=0)} | | |",
        f"| floed RSS per instance (KiB) | {fmt(per_instance, digits=1)} | | |",
        f"| floe-monitor PSS per instance, {small} instances (KiB) | {fmt(r.get(f'monitor_pss_per_{small}'))} | "
        f"runit's runsvdir + runsv per program {fmt(r.get('runit_pss_per'))} | "
        f"{ratio(r.get(f'monitor_pss_per_{small}'), r.get('runit_pss_per'))} |",
        f"| crash → replacement listening (ms) | {fmt(r.get('crash_listen'))} | | |",
        f"| crash → READY again (ms) | {fmt(r.get('crash_ready'))} | | |",
        f"| `floectl status` of 1 service p50 / p99 (ms) | {fmt(r.get('cli_p50'))} / {fmt(r.get('cli_p99'))} | | |",
        f"| status API, 1 service p50 / p99 (ms) | {fmt(r.get('api_one_p50'), digits=2)} / "
        f"{fmt(r.get('api_one_p99'), digits=2)} | | |",
        f"| `GET /v1/services`, {big} services p50 / p99 (ms) | {fmt(r.get('api_all_p50'))} / "
        f"{fmt(r.get('api_all_p99'))} | | |",
        f"| ingress requests/s, 1 keep-alive client | {fmt(r.get('ingress_rps'), digits=0)} | direct to the "
        f"instance {fmt(r.get('direct_rps'), digits=0)} | {ratio(r.get('ingress_rps'), r.get('direct_rps'))} |",
        f"| ingress request latency p50 (ms) | {fmt(r.get('ingress_p50'), digits=3)} | direct "
        f"{fmt(r.get('direct_p50'), digits=3)} | added {fmt(diff(r.get('ingress_p50'), r.get('direct_p50')), digits=3)} ms |",
        f"| ingress request latency p99 (ms) | {fmt(r.get('ingress_p99'), digits=3)} | direct "
        f"{fmt(r.get('direct_p99'), digits=3)} | added {fmt(diff(r.get('ingress_p99'), r.get('direct_p99')), digits=3)} ms |",
        f"| function call, {function_calls.rows(args):,} rows via `floectl call` (rows/s) | {fmt(r.get('fn_cli'), digits=0)} | "
        f"direct, batch by batch {fmt(r.get('fn_direct'), digits=0)} | {ratio(r.get('fn_cli'), r.get('fn_direct'))} |",
        f"| function call, {function_calls.rows(args):,} rows via `POST /v1/functions` (rows/s) | "
        f"{fmt(r.get('fn_api'), digits=0)} | direct, batch by batch {fmt(r.get('fn_direct'), digits=0)} | "
        f"{ratio(r.get('fn_api'), r.get('fn_direct'))} |",
    ]
    for kind in PEERS:
        p = kind.name
        lines += [
            f"| add {small} programs → all running (ms) vs {p} | {fmt(r.get(f'cold_{small}'), digits=0)} | "
            f"{fmt(r.get(f'{p}_add'), digits=0)} | {ratio(r.get(f'cold_{small}'), r.get(f'{p}_add'))} |",
            f"| restart after SIGKILL → listening (ms) vs {p} | {fmt(r.get('crash_listen'))} | "
            f"{fmt(r.get(f'{p}_restart'))} | {ratio(r.get('crash_listen'), r.get(f'{p}_restart'))} |",
            f"| supervisor memory with {small} programs, PSS (KiB) vs {p} | "
            f"{fmt(r.get(f'floe_pss_{small}'), digits=0)} | {fmt(r.get(f'{p}_pss'), digits=0)} | "
            f"{ratio(r.get(f'floe_pss_{small}'), r.get(f'{p}_pss'))} |",
            f"| supervisor memory per added program, PSS (KiB) vs {p} | "
            f"{fmt(r.get(f'floe_pss_per_{small}'))} | {fmt(r.get(f'{p}_pss_per'))} | "
            f"{ratio(r.get(f'floe_pss_per_{small}'), r.get(f'{p}_pss_per'))} |",
        ]
    lines += [
        "",
        "floe's cold start and restart figures are to READY (its readiness probe answered), the peers' to",
        "every program accepting connections (they have no readiness). The peers' memory is the PSS sum",
        "of the supervisor's processes (supervisord; runsvdir + one runsv each; s6-svscan + one",
        "s6-supervise each), floe's is floed's. Per added program: the supervisor's PSS with the programs",
        "running less its PSS before they were added, divided by their number. floe also runs one",
        "floe-monitor per container (its parent, which keeps the exit status across floed restarts, as",
        "conmon does for CRI-O): its PSS per instance is the row beside runsv's.",
    ]
    return "\n".join(lines) + "\n"


def diff(a, b):
    if not a or not b:
        return None
    return [x - y for x, y in zip(a, b)]


# ---------------------------------------------------------------------------------------------


def write_results(path, table_text):
    """Writes the new table at the top of `path`; the table that was there and the older history
    stay below it, under "Earlier runs and profiles"."""
    marker = "## Earlier runs and profiles"
    previous, history = "", ""
    if os.path.exists(path):
        with open(path) as f:
            earlier = f.read()
        if marker in earlier:
            i = earlier.index(marker)
            previous, history = earlier[:i], earlier[i + len(marker):]
        else:
            previous = earlier
        for heading in ("# floe benchmark results", "## Latest"):
            previous = previous.replace(heading, "", 1)
    with open(path, "w") as f:
        f.write("# floe benchmark results\n\n## Latest\n\n" + table_text.strip() + "\n")
        if previous.strip() or history.strip():
            f.write(f"\n{marker}\n\n")
            for part in (previous.strip(), history.strip()):
                if part:
                    f.write(part + "\n\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--floed")
    parser.add_argument("--floectl")
    parser.add_argument("--spawnlimit")
    parser.add_argument("--tinyserver", required=True)
    parser.add_argument("--workdir", help="an empty directory for the run's files (default: a new temporary one)")
    parser.add_argument("--cleanup", action="store_true",
                        help="only stop what a bench with this --workdir and --tinyserver left running")
    parser.add_argument("--quick", action="store_true", help="small N, 1 run (what CI runs)")
    parser.add_argument("--runs", type=int, help="runs to take the median of (3; quick: 1)")
    parser.add_argument("--steady", type=float, help="steady-state seconds (60; quick: 5)")
    parser.add_argument("--scale", help="comma-separated N for the cold start (100,1000; quick: 10)")
    parser.add_argument("--peer-n", type=int, help="programs per peer (100; quick: 10)")
    parser.add_argument("--no-peers", action="store_true", help="skip supervisord, runit and s6")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs) afterwards")
    parser.add_argument("--out", help="markdown file to write the table to")
    parser.add_argument("--command", default="make bench", help="the command shown in the table")
    args = parser.parse_args()
    args.tinyserver = os.path.abspath(args.tinyserver)
    args.runs = args.runs or (1 if args.quick else 3)
    args.steady = args.steady if args.steady is not None else (5.0 if args.quick else 60.0)
    args.scale = [int(x) for x in (args.scale or ("10" if args.quick else "100,1000")).split(",")]
    args.peer_n = args.peer_n or (10 if args.quick else 100)
    if args.peer_n not in args.scale:
        args.scale = sorted(args.scale + [args.peer_n])
    args.trials = 10 if args.quick else 30
    args.crash_trials = 3 if args.quick else 5
    args.query_trials = 10 if args.quick else 30
    args.port_base = 20000
    args.ingress_requests = 500 if args.quick else 5000
    args.ingress_ports = "19400-19409"

    if args.cleanup:
        if not args.workdir:
            parser.error("--cleanup needs --workdir")
        cleanup(os.path.abspath(args.workdir), args.tinyserver)
        return 0
    if not (args.floed and args.floectl and args.spawnlimit):
        parser.error("--floed, --floectl and --spawnlimit are required")
    results = {}
    workdir = os.path.abspath(args.workdir) if args.workdir else tempfile.mkdtemp(prefix="floe-bench-")
    os.chmod(workdir, 0o755)
    interrupted = []

    def on_signal(sig, _frame):
        interrupted.append(sig)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    status = 0
    try:
        for run in range(args.runs):
            log(f"run {run + 1} of {args.runs}: physical limit")
            limit_run(args, results)
            log(f"run {run + 1} of {args.runs}: floe")
            floe_run(args, results, os.path.join(workdir, f"run{run}"))
            if not args.no_peers:
                log(f"run {run + 1} of {args.runs}: peers")
                peer_run(args, results, os.path.join(workdir, f"run{run}"))
        text = table(args, results)
        print(text)
        if args.out:
            write_results(args.out, text)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        status = 1
    except subprocess.CalledProcessError as error:
        print(f"bench: {' '.join(map(str, error.cmd))} failed (exit {error.returncode}): {error.stderr}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        status = 130
    finally:
        cleanup(workdir, args.tinyserver)
        if status == 0 and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"bench: logs kept in {workdir}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
