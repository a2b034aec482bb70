import Foundation
import Testing

/// A small HTTP/1.1 server in python3 standing in for a service instance. It prints its port,
/// then answers: `GET /who` (its name and the client port of the connection, to see reuse),
/// `GET /headers` (the request's headers as JSON), `POST /echo` (the body back), `GET /big?n=N`
/// (N KiB, chunked), and `GET /ws` with `Upgrade: websocket` (101, then echoes raw bytes).
final class TestUpstream: @unchecked Sendable {
    static let script = #"""
        import http.server, json, socketserver, sys

        NAME = sys.argv[1]

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, body, status=200, ctype="text/plain"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def do_GET(self):
                if self.path == "/who":
                    self.reply(("%s %d" % (NAME, self.client_address[1])).encode())
                elif self.path == "/headers":
                    self.reply(json.dumps({k.lower(): v for k, v in self.headers.items()}).encode(),
                               ctype="application/json")
                elif self.path.startswith("/big"):
                    n = int(self.path.split("n=")[1])
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"x" * 1024
                    for _ in range(n):
                        self.wfile.write(b"400\r\n" + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                elif self.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
                    self.send_response(101)
                    self.send_header("Upgrade", "websocket")
                    self.send_header("Connection", "Upgrade")
                    self.end_headers()
                    self.wfile.flush()
                    while True:
                        data = self.connection.recv(65536)
                        if not data:
                            break
                        self.connection.sendall(data.upper())
                    self.close_connection = True
                else:
                    self.reply(b"not found", status=404)

            def do_POST(self):
                body = self.read_body()
                self.reply(body, ctype="application/octet-stream")

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        server = Server(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    let process = Process()
    let port: Int
    let name: String

    init(name: String) throws {
        self.name = name
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, name]
        process.standardOutput = pipe
        try process.run()
        var line = [UInt8]()
        while true {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            guard let b = byte.first else { break }
            if b == UInt8(ascii: "\n") { break }
            line.append(b)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("the python upstream did not print its port")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: a child of the test runner may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
