"""Service-function calls for bench.py: rows per second through `floectl call` and through the
control API, against a reference client that posts the same batches straight to the instance."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time

# A minimal SPCS function endpoint: answers each row with its argument (HTTP/1.1 keep-alive).
SERVER = r'''
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def do_POST(self):
        rows = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["data"]
        body = json.dumps({"data": [[r[0], r[1]] for r in rows]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
server.daemon_threads = True
server.serve_forever()
'''

BATCH = 1000


def rows_text(n):
    return "".join(f'["row-{i}"]\n' for i in range(n))


def direct(port, n):
    """The reference: the same batches posted one after another on one kept-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.monotonic()
    for first in range(0, n, BATCH):
        rows = [[i - first, f"row-{i}"] for i in range(first, min(first + BATCH, n))]
        conn.request("POST", "/fn", body=json.dumps({"data": rows}),
                     headers={"Content-Type": "application/json", "sf-external-function-format": "json"})
        response = conn.getresponse()
        if response.status != 200 or len(json.loads(response.read())["data"]) != len(rows):
            raise RuntimeError(f"direct call answered {response.status}")
    conn.close()
    return n / (time.monotonic() - start)


def measure(floe, args, results, port, error):
    """Adds fn_cli, fn_api and fn_direct (rows per second) to results."""
    n = 20_000 if args.quick else 200_000
    root = floe.root
    with open(os.path.join(root, "fn_server.py"), "w") as f:
        f.write(SERVER)
    floe.write("fnbench", (
        f"service:\n  computePool: {floe.POOL}\n"
        "spec:\n  containers:\n  - name: fn\n    image: /bench/fn:latest\n"
        f"    command: [{sys.executable}, {root}/fn_server.py, \"{port}\"]\n"
        f"    readinessProbe: {{port: {port}, path: /}}\n"
        f"  endpoints:\n  - {{name: api, port: {port}}}\n"))
    floe.names["fnbench"] = port
    floe.write("echo_fn", (
        "function:\n  service: fnbench\n  endpoint: api\n  path: /fn\n"
        f"  arguments: [{{name: x, type: varchar}}]\n  returns: varchar\n  maxBatchRows: {BATCH}\n"))
    floe.wait_ready("fnbench", time.monotonic() + 60)
    path = os.path.join(root, "fn_rows.jsonl")
    with open(path, "w") as f:
        f.write(rows_text(n))
    env = dict(os.environ, FLOE_SOCKET=floe.socket)
    for _ in range(2 if args.quick else 3):
        start = time.monotonic()
        done = subprocess.run([args.floectl, "call", "echo_fn", "--input", path], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seconds = time.monotonic() - start
        if done.returncode != 0 or done.stdout.count(b"\n") != n:
            raise error(f"floectl call echo_fn failed: {done.stderr.decode(errors='replace')}")
        results.setdefault("fn_cli", []).append(n / seconds)
        start = time.monotonic()
        conn = floe_connection(floe)
        with open(path, "rb") as f:
            conn.request("POST", "/v1/functions/echo_fn", body=f.read())
        response = conn.getresponse()
        lines = response.read().count(b"\n")
        conn.close()
        if response.status != 200 or lines != n:
            raise error(f"POST /v1/functions/echo_fn answered {response.status} with {lines} lines")
        results.setdefault("fn_api", []).append(n / (time.monotonic() - start))
        results.setdefault("fn_direct", []).append(direct(port, n))
    os.unlink(os.path.join(floe.stage, "echo_fn.yaml"))


def floe_connection(floe):
    """An HTTP connection to floed's Unix socket."""
    conn = http.client.HTTPConnection("localhost", timeout=300)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(300)
    sock.connect(floe.socket)
    conn.sock = sock
    return conn


def rows(args):
    return 20_000 if args.quick else 200_000
