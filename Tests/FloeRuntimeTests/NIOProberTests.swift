import FloeCore
import FloeRuntime
import Foundation
import NIOPosix
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on the port given as argument (0: any); prints `PORT n` once listening.
/// `/ok` 200, `/missing` 404, `/busy` 503, `/close` 200 then closes, `/big` 200 with 200 KiB, `/chunked`
/// 200 with a chunked body, anything else 500.
private let pythonServer = """
    import http.server, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            if self.path == "/chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.write(b"5\\r\\nhello\\r\\n0\\r\\n\\r\\n")
                return
            code = {"/ok": 200, "/missing": 404, "/busy": 503, "/close": 200, "/big": 200}.get(self.path, 500)
            body = b"x" * (200 * 1024) if self.path == "/big" else b"probe answer"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            if self.path == "/close":
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()
    """

private let python = "/usr/bin/python3"

/// Starts the server (on `port`, 0 for any) and returns its handle and port.
private func startServer(
    _ runtime: ProcessRuntime, in dir: TemporaryDirectory, port: Int = 0, log: String
) async throws -> (ContainerHandle, Int) {
    let launch = makeLaunch([python, "-c", pythonServer, String(port)], in: dir, log: log)
    let handle = try await runtime.start(launch, onExit: { _ in })
    #expect(await eventually { readFile(launch.logFile).contains("\n") })
    let portText = readFile(launch.logFile).split(separator: " ").last.map { String($0) } ?? ""
    return (handle, try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines))))
}

/// A server that prints OPEN and CLOSE per connection and GET per request (all answered 200).
private let countingServer = """
    import http.server, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def setup(self):
            super().setup()
            print("OPEN", flush=True)
        def finish(self):
            super().finish()
            print("CLOSE", flush=True)
        def do_GET(self):
            print("GET", flush=True)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()
    """

/// A one-connection-at-a-time server that prints each request's raw bytes (`REQUEST b'...'`); it answers
/// every request 200, or with `answer-once` only the first of each connection (later ones hang).
private let rawServer = """
    import socket, sys
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print("PORT", listener.getsockname()[1], flush=True)
    while True:
        connection, _ = listener.accept()
        pending, count = b"", 0
        while True:
            data = connection.recv(65536)
            if not data:
                break
            pending += data
            while b"\\r\\n\\r\\n" in pending:
                request, pending = pending.split(b"\\r\\n\\r\\n", 1)
                count += 1
                print("REQUEST", repr(request + b"\\r\\n\\r\\n"), flush=True)
                if sys.argv[1] == "answer-once" and count > 1:
                    continue
                connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
        connection.close()
    """

/// Starts ``rawServer`` in `mode`; returns its handle, port and log file.
private func startRawServer(
    _ runtime: ProcessRuntime, in dir: TemporaryDirectory, mode: String
) async throws -> (ContainerHandle, Int, String) {
    let launch = makeLaunch([python, "-c", rawServer, mode], in: dir, log: "logs/raw-\(mode).log")
    let handle = try await runtime.start(launch, onExit: { _ in })
    #expect(await eventually { readFile(launch.logFile).contains("\n") })
    let firstLine = readFile(launch.logFile).split(separator: "\n").first ?? ""
    return (handle, try #require(Int(firstLine.split(separator: " ").last ?? "")), launch.logFile)
}

@Suite struct NIOProberTests {
    /// The request is the bytes prepared once for the probe loop, the same for every probe over a kept
    /// connection: a plain GET with Host and User-Agent and nothing else.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func everyProbeSendsThePreparedGET() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let (handle, port, log) = try await startRawServer(runtime, in: dir, mode: "answer-all")
        let prober = NIOProber()
        for _ in 0..<3 {
            let result = await prober.probe(host: "127.0.0.1", port: port, path: "health", timeout: .seconds(10))
            #expect(result == .success)
        }
        await prober.shutdown()
        let requests = readFile(log).split(separator: "\n").filter { $0.hasPrefix("REQUEST ") }
        let host = "Host: 127.0.0.1:\(port)"
        let expected = #"REQUEST b'GET /health HTTP/1.1\r\n"# + host + #"\r\nUser-Agent: floe-probe\r\n\r\n'"#
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0 == expected })
        await runtime.stop(handle, grace: .milliseconds(300))
    }

    /// A kept connection whose second answer never comes: the probe times out (the connection's timer,
    /// armed for the first probe, waits on for the second's deadline) and the next probe connects anew.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)), .timeLimit(.minutes(1)))
    func aKeptConnectionThatStopsAnsweringTimesOut() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let (handle, port, _) = try await startRawServer(runtime, in: dir, mode: "answer-once")
        let prober = NIOProber()
        func probe(timeout: Duration) async -> ProbeResult {
            await prober.probe(host: "127.0.0.1", port: port, path: "/", timeout: timeout)
        }
        #expect(await probe(timeout: .milliseconds(400)) == .success)
        #expect(await probe(timeout: .milliseconds(700)) == .failure("timed out after 0.7 seconds"))
        #expect(await probe(timeout: .seconds(10)) == .success)
        await prober.shutdown()
        await runtime.stop(handle, grace: .milliseconds(300))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func statusCodesDecideTheResult() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let (handle, port) = try await startServer(runtime, in: dir, log: "logs/a.log")
        let prober = NIOProber()
        func probe(_ path: String) async -> ProbeResult {
            await prober.probe(host: "127.0.0.1", port: port, path: path, timeout: .seconds(10))
        }
        #expect(await probe("/ok") == .success)
        #expect(await probe("ok") == .success)
        #expect(await probe("/missing") == .failure("HTTP 404"))
        #expect(await probe("/busy") == .failure("HTTP 503"))
        #expect(await probe("/nothing-here") == .failure("HTTP 500"))
        // Answers that end the connection, or are too long to read, or chunked: the next probe still works.
        for path in ["/close", "/big", "/chunked"] {
            #expect(await probe(path) == .success)
            #expect(await probe("/ok") == .success)
        }
        // Many probes over the kept-alive connection, some at the same time.
        for _ in 0..<20 {
            #expect(await probe("/ok") == .success)
        }
        await withTaskGroup(of: ProbeResult.self) { group in
            for _ in 0..<8 { group.addTask { await probe("/ok") } }
            for await result in group { #expect(result == .success) }
        }
        await prober.shutdown()
        await runtime.stop(handle, grace: .milliseconds(300))
    }

    /// A process restarted on the same port: the connection kept from before is dead; the probe uses a new one.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func aRestartedServerIsProbedOverANewConnection() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let (first, port) = try await startServer(runtime, in: dir, log: "logs/first.log")
        let prober = NIOProber()
        #expect(await prober.probe(host: "127.0.0.1", port: port, path: "/ok", timeout: .seconds(10)) == .success)
        await runtime.stop(first, grace: .milliseconds(300))
        #expect(
            await prober.probe(host: "127.0.0.1", port: port, path: "/ok", timeout: .seconds(10))
                == .failure("connection refused"))
        let (second, _) = try await startServer(runtime, in: dir, port: port, log: "logs/second.log")
        #expect(await prober.probe(host: "127.0.0.1", port: port, path: "/ok", timeout: .seconds(10)) == .success)
        await prober.shutdown()
        await runtime.stop(second, grace: .milliseconds(300))
    }

    @Test func refusedConnectionIsAFailure() async throws {
        let port: Int
        do {
            let listener = try SilentListener()
            port = listener.port
        }  // closed again: nothing listens on the port now
        let prober = NIOProber()
        let result = await prober.probe(host: "127.0.0.1", port: port, path: "/", timeout: .seconds(5))
        await prober.shutdown()
        #expect(result == .failure("connection refused"))
    }

    @Test func serverThatNeverAnswersTimesOut() async throws {
        let listener = try SilentListener()
        let prober = NIOProber()
        let result = await prober.probe(host: "127.0.0.1", port: listener.port, path: "/", timeout: .milliseconds(300))
        await prober.shutdown()
        #expect(result == .failure("timed out after 0.3 seconds"))
        _ = listener.fd
    }

    /// Timeouts share one timer per event loop: a probe sent later with a shorter timeout still times
    /// out at its own deadline (the timer is brought forward for it), not at the earlier probe's.
    @Test(.timeLimit(.minutes(1))) func aLaterProbeWithAShorterTimeoutTimesOutFirst() async throws {
        let slow = try SilentListener()
        let quick = try SilentListener()
        let (slowPort, quickPort) = (slow.port, quick.port)
        // One event loop, so that both probes share its timeouts table and timer.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let prober = NIOProber(group: loop)
        let clock = ContinuousClock()
        let start = clock.now
        let results = await withTaskGroup(of: (String, ProbeResult, Duration).self) { group in
            group.addTask {
                let result = await prober.probe(host: "127.0.0.1", port: slowPort, path: "/", timeout: .seconds(4))
                return ("slow", result, clock.now - start)
            }
            try? await Task.sleep(for: .milliseconds(100))
            group.addTask {
                let result = await prober.probe(
                    host: "127.0.0.1", port: quickPort, path: "/", timeout: .milliseconds(200))
                return ("quick", result, clock.now - start)
            }
            var results: [(String, ProbeResult, Duration)] = []
            for await result in group { results.append(result) }
            return results
        }
        await prober.shutdown()
        try await loop.shutdownGracefully()
        #expect(results.map(\.0) == ["quick", "slow"])
        #expect(results.map(\.1) == [.failure("timed out after 0.2 seconds"), .failure("timed out after 4.0 seconds")])
        // Without its own deadline the quick probe would wait for the slow one's timer (4 s).
        #expect(results.first.map { $0.2 < .seconds(3) } == true)
        _ = (slow.fd, quick.fd)
    }

    /// The scheduler with the real prober: every probe of a loop goes over one kept connection, and
    /// removing the loop closes it (an instance that stops leaves no probe connection behind).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func aProbeLoopKeepsOneConnectionAndClosesItWhenRemoved() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let launch = makeLaunch([python, "-c", countingServer], in: dir, log: "logs/counting.log")
        let handle = try await runtime.start(launch, onExit: { _ in })
        #expect(
            await eventually { readFile(launch.logFile).hasPrefix("PORT ") && readFile(launch.logFile).contains("\n") })
        let firstLine = readFile(launch.logFile).split(separator: "\n").first ?? ""
        let port = try #require(Int(firstLine.split(separator: " ").last ?? ""))
        func count(_ word: String) -> Int {
            readFile(launch.logFile).split(separator: "\n").filter { $0 == word }.count
        }
        let results = Mutex<[ProbeResult]>([])
        let scheduler = ProbeScheduler(prober: NIOProber()) { batch in
            results.withLock { $0.append(contentsOf: batch.map(\.result)) }
        }
        scheduler.add(
            1,
            ScheduledProbe(kind: .liveness, host: "127.0.0.1", port: port, path: "/", period: .milliseconds(100)))
        #expect(await eventually { count("GET") >= 5 })
        #expect(count("OPEN") == 1)
        #expect(count("CLOSE") == 0)
        // Successes after the first are not reported.
        #expect(results.withLock { $0 } == [.success])
        scheduler.remove(1)
        #expect(await eventually { count("CLOSE") == 1 })
        await runtime.stop(handle, grace: .milliseconds(300))
    }
}
