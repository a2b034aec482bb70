import Foundation

/// A real local HTTP server (python3) that answers the SPCS batch protocol in the ways a test asks
/// for by path, and logs every request (method, path, headers, body) as a JSON line.
final class FunctionServer: @unchecked Sendable {
    static let script = #"""
        import http.server, json, sys, threading, time, random
        log_path = sys.argv[1]
        lock = threading.Lock()
        seen = {}
        pending = {}

        def answer(rows):
            return {"data": [[r[0], r[1] if len(r) > 1 else None] for r in rows]}

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def send(self, status, body):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def record(self, body):
                entry = {"method": self.command, "path": self.path,
                         "headers": {k.lower(): v for k, v in self.headers.items()},
                         "body": body.decode()}
                with lock:
                    with open(log_path, "a") as f:
                        f.write(json.dumps(entry) + "\n")
            def do_GET(self):
                self.record(b"")
                batch = self.headers.get("sf-external-function-query-batch-id")
                with lock:
                    state = pending.get(batch)
                    if state is None:
                        return self.send(404, {"error": "unknown batch"})
                    state["polls"] += 1
                    if state["polls"] < 3:
                        return self.send(202, b"")
                self.send(200, answer(state["rows"]))
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                self.record(body)
                rows = json.loads(body)["data"]
                batch = self.headers.get("sf-external-function-query-batch-id")
                path = self.path
                with lock:
                    seen[(path, batch)] = seen.get((path, batch), 0) + 1
                    count = seen[(path, batch)]
                if path == "/echo":
                    self.send(200, answer(rows))
                elif path == "/jitter":
                    time.sleep(random.random() * 0.05)
                    self.send(200, answer(rows))
                elif path == "/flaky":
                    if count == 1:
                        self.send(503, {"error": "warming up"})
                    elif count == 2:
                        self.send(429, {"error": "slow down"})
                    else:
                        self.send(200, answer(rows))
                elif path == "/async":
                    with lock:
                        pending[batch] = {"rows": rows, "polls": 0}
                    self.send(202, b"")
                elif path == "/forgetful":
                    # Accepts the batch, then forgets it (a poll gets 404); answers the batch sent again.
                    self.send(202 if count == 1 else 200, b"" if count == 1 else json.dumps(answer(rows)).encode())
                elif path == "/fail":
                    self.send(500, {"error": "boom: the model is not loaded"})
                elif path == "/refuse":
                    self.send(400, {"error": "argument 1 must be a date"})
                elif path == "/sleep":
                    time.sleep(3)
                    self.send(200, answer(rows))
                elif path == "/wrongcount":
                    self.send(200, answer(rows[:-1]))
                elif path == "/order":
                    a = answer(rows)
                    a["data"][0], a["data"][1] = a["data"][1], a["data"][0]
                    self.send(200, a)
                elif path == "/malformed":
                    self.send(200, b'{"data": [[0, "x"]')
                elif path == "/pretty":
                    self.send(200, json.dumps(answer(rows), indent=2).encode())
                else:
                    self.send(404, {"error": "no such path"})

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        server.daemon_threads = True
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    let directory: String
    let logPath: String
    let process: Process
    let port: Int

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/floe-functions-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        logPath = directory + "/requests.jsonl"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let scriptPath = directory + "/server.py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath, logPath]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServerError.didNotStart
        }
        self.port = port
    }

    enum ServerError: Error { case didNotStart }

    /// The requests the server has seen, oldest first.
    func requests() -> [Request] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            return Request(
                method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
                headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "")
        }
    }

    struct Request {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String

        /// The rows of a POST body.
        var rows: [[Any]] {
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return object?["data"] as? [[Any]] ?? []
        }
    }

    func stop() {
        // SIGKILL: a child of Foundation's Process may start with SIGTERM blocked.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
