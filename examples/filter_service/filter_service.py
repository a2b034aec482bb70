#!/usr/bin/env python3
"""The chapter's filter service: looks up news headlines by unique id.

Endpoints (one port, SERVER_PORT, default 8000):

  GET  /healthcheck  200 "I'm ready!" once the headlines are loaded (the readiness probe).
  POST /filter       An SPCS service-function endpoint. Body {"data": [[row, unique_id], ...]};
                     answer {"data": [[row, result], ...]}, one row per input row, same order.
                     result is a JSON text: the list of headline records whose UNIQUE_ID matches
                     ("[]" when none match; null when the id is null).
  GET  /ui           An HTML form; POST /ui (form field "id") or GET /ui?id=... shows the match.

Environment: SERVER_PORT (8000), SERVER_HOST (0.0.0.0, as a container in SPCS listens:
under floe as root the instance has its own network namespace, and floe's ingress is what
faces the network; on a shared host network set 127.0.0.1 to keep it local), HEADLINES_CSV (headlines.csv next to this
file). Python 3 standard library only. SIGTERM or SIGINT stops the server and exits 0.
"""

import csv
import datetime
import html
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY_BYTES = 16 * 1024 * 1024
FIELDS = ["UNIQUE_ID", "DATE", "CATEGORY", "HEADLINE", "SHORT_DESCRIPTION", "AUTHORS"]


def log(message):
    """Writes one line to stdout (floe collects stdout as the container's log)."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sys.stdout.write(f"{stamp} {message}\n")
    sys.stdout.flush()


class BadRequest(Exception):
    """A request body that does not follow the service-function protocol."""


def load_headlines(path):
    """Reads the CSV into {unique_id (str): [record, ...]}; records keep the CSV's column order."""
    index = {}
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [name for name in FIELDS if name not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; the header must be "
                             f"{','.join(FIELDS)}")
        for line, row in enumerate(reader, start=2):
            key = (row["UNIQUE_ID"] or "").strip()
            if not key:
                raise ValueError(f"{path}:{line}: empty UNIQUE_ID")
            record = {name: row[name] for name in FIELDS}
            record["UNIQUE_ID"] = int(key) if key.isdigit() else key
            index.setdefault(key, []).append(record)
    return index


def normalize_id(value):
    """The lookup key for one argument value: strings and integers match the CSV's text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def filter_rows(index, body):
    """Answers one service-function batch. Raises BadRequest when the body breaks the protocol."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"the body is not JSON ({error}); send {{\"data\": [[0, \"<unique id>\"], ...]}}")
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise BadRequest("the body must be a JSON object with a \"data\" array: "
                         "{\"data\": [[0, \"<unique id>\"], ...]}")
    out = []
    for position, row in enumerate(payload["data"]):
        if not isinstance(row, list) or len(row) != 2:
            raise BadRequest(f"data[{position}] must be [row_index, unique_id] (the function takes one argument)")
        row_index, value = row
        if isinstance(row_index, bool) or not isinstance(row_index, int):
            raise BadRequest(f"data[{position}][0] must be the integer row index, not {json.dumps(row_index)}")
        if value is None:
            out.append([row_index, None])
        else:
            out.append([row_index, json.dumps(index.get(normalize_id(value), []))])
    return {"data": out}


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Filter service</title>
<style>
body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .3em .6em; text-align: left; }}
</style></head>
<body>
<h1>News headlines by unique id</h1>
<form method="post" action="/ui">
<label for="id">Unique id</label>
<input id="id" name="id" value="{value}" inputmode="numeric" autofocus>
<button type="submit">Look up</button>
</form>
{result}
</body>
</html>
"""


def render_page(index, query):
    """The /ui page; query is None for the empty form."""
    if query is None:
        result = ""
    else:
        records = index.get(normalize_id(query), [])
        if not records:
            result = f"<p>No headline has the unique id <b>{html.escape(query)}</b>.</p>"
        else:
            rows = []
            for record in records:
                cells = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(str(record[name]))}</td></tr>"
                                for name in FIELDS)
                rows.append(f"<table>{cells}</table>")
            result = "\n".join(rows)
    return PAGE.format(value=html.escape(query or "", quote=True), result=result)


class Handler(BaseHTTPRequestHandler):
    """Routes /healthcheck, /filter and /ui; the headline index is on the server."""

    protocol_version = "HTTP/1.1"
    # Seconds a connection may stay silent (idle keep-alive, or a client that stops mid-request).
    timeout = 60
    server_version = "filter_service/1.0"

    def log_message(self, format, *args):
        # The one line per request is written by send(); silence http.server's stderr lines.
        pass

    def log_error(self, format, *args):
        if format.startswith("Request timed out"):
            return  # an idle keep-alive connection closing is not an error
        log("error " + (format % args))

    def send(self, status, content_type, body, note=""):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        elapsed = (time.monotonic() - self.started) * 1000
        extra = f" {note}" if note else ""
        log(f'{self.client_address[0]} "{self.command} {self.path}" {status} {len(data)}B {elapsed:.1f}ms{extra}')

    def send_json(self, status, value, note=""):
        self.send(status, "application/json", json.dumps(value) + "\n", note)

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BadRequest("malformed chunked body")
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise BadRequest(f"the body is larger than {MAX_BODY_BYTES} bytes; send smaller batches")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            raise BadRequest("Content-Length is not a number")
        if length < 0 or length > MAX_BODY_BYTES:
            raise BadRequest(f"the body must be 0..{MAX_BODY_BYTES} bytes; send smaller batches")
        return self.rfile.read(length)

    def route(self):
        return urllib.parse.urlsplit(self.path).path.rstrip("/") or "/"

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.started = time.monotonic()
        path = self.route()
        if path == "/healthcheck":
            self.send(200, "text/plain; charset=utf-8", "I'm ready!\n")
        elif path == "/ui":
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("id", [None])[0]
            self.send(200, "text/html; charset=utf-8", render_page(self.server.index, query))
        elif path == "/filter":
            self.send_json(405, {"error": "/filter takes POST with {\"data\": [[0, \"<unique id>\"], ...]}"})
        elif path == "/":
            self.send(200, "text/plain; charset=utf-8", "filter service: /healthcheck, POST /filter, /ui\n")
        else:
            self.send_json(404, {"error": f"no such path {path}; try /healthcheck, POST /filter or /ui"})

    def do_POST(self):
        self.started = time.monotonic()
        path = self.route()
        try:
            body = self.read_body()
        except BadRequest as error:
            self.close_connection = True
            self.send_json(400, {"error": str(error)}, note="bad-body")
            return
        if path == "/filter":
            batch = self.headers.get("sf-external-function-query-batch-id")
            try:
                answer = filter_rows(self.server.index, body)
            except BadRequest as error:
                self.send_json(400, {"error": str(error)}, note="malformed")
                return
            note = f"rows={len(answer['data'])}" + (f" batch={batch}" if batch else "")
            self.send_json(200, answer, note=note)
        elif path == "/ui":
            fields = urllib.parse.parse_qs(body.decode("utf-8", errors="replace"))
            query = fields.get("id", [""])[0]
            self.send(200, "text/html; charset=utf-8", render_page(self.server.index, query))
        else:
            self.send_json(404, {"error": f"no POST handler for {path}; POST to /filter or /ui"})


class FilterServer(ThreadingHTTPServer):
    """The HTTP server with the headline index it serves."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, index):
        self.index = index
        super().__init__(address, Handler)


def main():
    state = {"server": None, "stopping": False}

    def stop(signum, _frame):
        log(f"received {signal.Signals(signum).name}, shutting down")
        state["stopping"] = True
        if state["server"] is not None:
            # shutdown() waits for serve_forever() to return, so it must not run on this (the serving) thread.
            threading.Thread(target=state["server"].shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    here = os.path.dirname(os.path.abspath(__file__))
    csv_path = os.environ.get("HEADLINES_CSV") or os.path.join(here, "headlines.csv")
    host = os.environ.get("SERVER_HOST") or "0.0.0.0"
    port_text = os.environ.get("SERVER_PORT") or "8000"
    try:
        port = int(port_text)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        log(f"fatal: SERVER_PORT={port_text!r} is not a port number (1-65535); set it in the spec's env")
        return 2
    try:
        index = load_headlines(csv_path)
    except (OSError, ValueError, csv.Error) as error:
        log(f"fatal: cannot load the headlines: {error}; set HEADLINES_CSV to a CSV with columns {','.join(FIELDS)}")
        return 1
    try:
        server = FilterServer((host, port), index)
    except OSError as error:
        log(f"fatal: cannot listen on {host}:{port}: {error.strerror}; choose another SERVER_PORT")
        return 1
    state["server"] = server
    if state["stopping"]:  # a signal came before the server existed, so nobody will call shutdown()
        server.server_close()
        log("stopped")
        return 0
    count = sum(len(records) for records in index.values())
    log(f"serving {count} headlines from {csv_path} on http://{host}:{port} "
        f"(service {os.environ.get('SNOWFLAKE_SERVICE_NAME', '-')})")
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
