import FloeRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

private let pythonServer = """
    import http.server
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            code = {"/ok": 200, "/missing": 404, "/busy": 503}.get(self.path, 500)
            body = b"probe answer"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()
    """

private let python = "/usr/bin/python3"

@Suite struct HTTPProberTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func statusCodesDecideTheResult() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let launch = makeLaunch([python, "-c", pythonServer], in: dir)
        let handle = try await runtime.start(launch, onExit: { _ in })
        let prober = HTTPProber()
        do {
            #expect(await eventually { readFile(launch.logFile).contains("\n") })
            let portText = readFile(launch.logFile).split(separator: " ").last.map { String($0) } ?? ""
            let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(await prober.probe(host: "127.0.0.1", port: port, path: "/ok", timeout: .seconds(10)) == .success)
            #expect(await prober.probe(host: "127.0.0.1", port: port, path: "ok", timeout: .seconds(10)) == .success)
            #expect(
                await prober.probe(host: "127.0.0.1", port: port, path: "/missing", timeout: .seconds(10))
                    == .failure("HTTP 404"))
            #expect(
                await prober.probe(host: "127.0.0.1", port: port, path: "/busy", timeout: .seconds(10))
                    == .failure("HTTP 503"))
            // Many probes over the kept-alive connection still work.
            for _ in 0..<20 {
                #expect(
                    await prober.probe(host: "127.0.0.1", port: port, path: "/ok", timeout: .seconds(10)) == .success)
            }
        }
        try await prober.shutdown()
        await runtime.stop(handle, grace: .milliseconds(300))
    }

    @Test func refusedConnectionIsAFailure() async throws {
        let port: Int
        do {
            let listener = try SilentListener()
            port = listener.port
        }  // closed again: nothing listens on the port now
        let prober = HTTPProber()
        let result = await prober.probe(host: "127.0.0.1", port: port, path: "/", timeout: .seconds(5))
        try await prober.shutdown()
        #expect(result == .failure("connection refused"))
    }

    @Test func serverThatNeverAnswersTimesOut() async throws {
        let listener = try SilentListener()
        let prober = HTTPProber()
        let result = await prober.probe(host: "127.0.0.1", port: listener.port, path: "/", timeout: .milliseconds(300))
        try await prober.shutdown()
        #expect(result == .failure("timed out after 0.3 seconds"))
        _ = listener.fd
    }

    @Test func aCallersClientIsNotShutDownByTheProber() async throws {
        let client = HTTPProber.makeClient()
        let prober = HTTPProber(client: client)
        try await prober.shutdown()
        let listener = try SilentListener()
        // Still usable: the probe runs (and times out) instead of failing with "already shut down".
        let result = await prober.probe(host: "127.0.0.1", port: listener.port, path: "/", timeout: .milliseconds(200))
        #expect(result == .failure("timed out after 0.2 seconds"))
        _ = listener.fd
        try await client.shutdown()
    }
}
