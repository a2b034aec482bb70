import Foundation
import Testing

/// End-to-end: service functions through the real floed and floectl.
@Suite("service functions end to end", .serialized)
struct FunctionCallEndToEndTests {
    /// Answers the SPCS batch protocol on POST /double (each row's argument times two) and GET
    /// /healthz. Logs each batch to STATE_DIR/batches.log as "instance pid rows". The first run of
    /// instance HANG_INSTANCE answers HANG_AFTER batches and then stops answering, so that a test can
    /// kill it in the middle of a call; a run after a restart, and the other instances, answer everything. A batch with the argument -1
    /// gets a 500.
    static let server = #"""
        import http.server, json, os, sys, threading, time
        port = int(sys.argv[1])
        state = os.environ["STATE_DIR"]
        instance = os.environ.get("SNOWFLAKE_SERVICE_INSTANCE_ID", "0")
        marker = os.path.join(state, "started-" + instance)
        first_run = not os.path.exists(marker)
        open(marker, "a").close()
        hangs = first_run and instance == os.environ.get("HANG_INSTANCE", "0")
        hang_after = int(os.environ.get("HANG_AFTER", "0")) if hangs else 0
        lock = threading.Lock()
        served = [0]

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def send(self, status, data):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                self.send(200, b"ok")
            def do_POST(self):
                rows = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["data"]
                if any(r[1] == -1 for r in rows):
                    return self.send(500, b'{"error": "negative input"}')
                with lock:
                    served[0] += 1
                    count = served[0]
                if hang_after and count > hang_after:
                    time.sleep(3600)
                with lock:
                    with open(os.path.join(state, "batches.log"), "a") as f:
                        f.write(f"{instance} {os.getpid()} {len(rows)}\n")
                answer = {"data": [[r[0], r[1] * 2] for r in rows]}
                self.send(200, json.dumps(answer).encode())

        server = http.server.ThreadingHTTPServer((os.environ.get("BIND", "127.0.0.1"), port), H)
        server.daemon_threads = True
        print("listening on", port, "first run" if first_run else "restarted", flush=True)
        server.serve_forever()
        """#

    static func service(
        root: String, port: Int, instances: Int, hangAfter: Int, hangInstance: Int = 0, bind: String = "127.0.0.1"
    ) -> String {
        """
        service:
          minInstances: \(instances)
          stopGraceSeconds: 2
        spec:
          containers:
          - name: fn
            image: /floe/test/fn:latest
            command: [python3, \(root)/fn_server.py, "\(port)"]
            env:
              STATE_DIR: \(root)
              HANG_AFTER: "\(hangAfter)"
              HANG_INSTANCE: "\(hangInstance)"
              BIND: \(bind)
            resources:
              requests:
                cpu: 0.1
            readinessProbe:
              port: \(port)
              path: /healthz
          endpoints:
          - name: api
            port: \(port)

        """
    }

    static let function = """
        function:
          service: fn_service
          endpoint: api
          path: /double
          arguments:
          - {name: x, type: number}
          returns: number
          maxBatchRows: 100

        """

    func start(
        instances: Int, port: Int, hangAfter: Int, hangInstance: Int = 0, bind: String = "127.0.0.1",
        namespaces: Bool = false
    ) async throws -> FloeHarness {
        let floe = try FloeHarness()
        if namespaces {
            try
                "rescanSeconds: 2\ndefaultUser: root\nnetwork: namespaces\nnetworkRange: 10.251.3.0/24\nnetworkBridge: fte2ec\n"
                .write(toFile: floe.config, atomically: true, encoding: .utf8)
        }
        try Self.server.write(toFile: "\(floe.root)/fn_server.py", atomically: true, encoding: .utf8)
        try await floe.start()
        try floe.drop(
            "fn_service.yaml",
            Self.service(
                root: floe.root, port: port, instances: instances, hangAfter: hangAfter, hangInstance: hangInstance,
                bind: bind))
        try floe.drop("double.yaml", Self.function)
        try await floe.eventually("fn_service is READY", timeout: .seconds(60)) {
            let out = try await floe.ctl("wait", "fn_service", "--for", "READY", "--timeout", "1")
            return out.code == 0
        }
        return floe
    }

    /// Runs `floectl call double --input FILE` of `rows` rows in the background; kills `victim`'s
    /// process once it has answered `hangAfter` batches (its first run then stops answering, so the kill
    /// is always in the middle of the call); returns floectl's output.
    func callKillingMidway(_ floe: FloeHarness, rows: Int, victim: String, hangAfter: Int) async throws
        -> FloeHarness.Output
    {
        let input = "\(floe.root)/input.jsonl"
        try (0..<rows).map { "[\($0)]\n" }.joined().write(toFile: input, atomically: true, encoding: .utf8)
        // floectl's output goes to files, not pipes: blocking pipe reads would hold the test's few
        // cooperative threads for the whole call.
        let call = try Self.launchCtl(floe, ["call", "double", "--input", input])
        let log = "\(floe.root)/batches.log"
        try await floe.eventually("instance \(victim) answered \(hangAfter) batches", timeout: .seconds(60)) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").filter { $0.hasPrefix("\(victim) ") }.count >= hangAfter
        }
        let victimPID = try #require(
            pids(matching: "\(floe.root)/fn_server.py").first { pid in
                let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
                return String(decoding: environ, as: UTF8.self).split(separator: "\0")
                    .contains("SNOWFLAKE_SERVICE_INSTANCE_ID=\(victim)")
            })
        kill(victimPID, SIGKILL)
        let out = try await Self.finish(call, floe, timeout: .seconds(300))
        return out
    }

    /// floectl started with its output in files under the harness root.
    static func launchCtl(_ floe: FloeHarness, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(FloeHarness.binDirectory)/floectl")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["FLOE_SOCKET"] = floe.socket
        process.environment = environment
        for name in ["ctl.out", "ctl.err"] {
            _ = FileManager.default.createFile(atPath: "\(floe.root)/\(name)", contents: nil)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: "\(floe.root)/ctl.out")
        process.standardError = FileHandle(forWritingAtPath: "\(floe.root)/ctl.err")
        try process.run()
        return process
    }

    /// Waits for a floectl from ``launchCtl(_:_:)`` to exit (killing it after `timeout`); its output.
    static func finish(_ process: Process, _ floe: FloeHarness, timeout: Duration) async throws -> FloeHarness.Output {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("floectl call did not end within \(timeout)")
        }
        process.waitUntilExit()
        return FloeHarness.Output(
            code: process.terminationStatus,
            stdout: (try? String(contentsOfFile: "\(floe.root)/ctl.out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: "\(floe.root)/ctl.err", encoding: .utf8)) ?? "")
    }

    @Test func aTenThousandRowCallSurvivesItsOnlyInstanceBeingKilled() async throws {
        let port = ServiceLifecycleTests.freePort()
        let floe = try await start(instances: 1, port: port, hangAfter: 10)
        defer { Task { await floe.tearDown() } }
        let out = try await callKillingMidway(floe, rows: 10_000, victim: "0", hangAfter: 10)
        #expect(out.code == 0, "floectl call failed: \(out.stderr)\n\(floe.log().suffix(3000))")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 10_000)
        #expect(lines == (0..<10_000).map { String($0 * 2) })
        // floed restarted the instance and the retried batches went to the new process.
        let restarts = try await floe.status("fn_service").first?["restartCount"] as? Int
        #expect(restarts == 1)
        let text = try String(contentsOfFile: "\(floe.root)/batches.log", encoding: .utf8)
        #expect(Set(text.split(separator: "\n").map { $0.split(separator: " ")[1] }).count == 2)
        let rowsAnswered = text.split(separator: "\n").compactMap { Int($0.split(separator: " ")[2]) }.reduce(0, +)
        #expect(rowsAnswered == 10_000)
        await floe.tearDown()
    }

    @Test(
        .enabled(
            if: FloeHarness.namespacesAvailable, "needs network namespaces (root, ip, nft)"))
    func threeInstancesOnOnePortOneKilledMidwayEveryRowInOrder() async throws {
        let floe = try await start(
            instances: 3, port: 8000, hangAfter: 5, hangInstance: 1, bind: "0.0.0.0", namespaces: true)
        defer { Task { await floe.tearDown() } }
        let out = try await callKillingMidway(floe, rows: 10_000, victim: "1", hangAfter: 5)
        #expect(out.code == 0, "floectl call failed: \(out.stderr)\n\(floe.log().suffix(3000))")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines == (0..<10_000).map { String($0 * 2) })
        // All three instances answered batches.
        let text = try String(contentsOfFile: "\(floe.root)/batches.log", encoding: .utf8)
        #expect(Set(text.split(separator: "\n").map { $0.split(separator: " ")[0] }) == ["0", "1", "2"])
        await floe.tearDown()
    }

    @Test func oneRowCallsListingAndErrors() async throws {
        let port = ServiceLifecycleTests.freePort()
        let floe = try await start(instances: 1, port: port, hangAfter: 0)
        defer { Task { await floe.tearDown() } }

        let one = try await floe.ctl("call", "double", "21")
        #expect(one.code == 0, "\(one.stderr)")
        #expect(one.stdout == "42\n")

        let list = try await floe.ctl("functions")
        #expect(list.code == 0)
        #expect(list.stdout.contains("DOUBLE"))
        #expect(list.stdout.contains("DOUBLE(x NUMBER) RETURNS NUMBER"))
        #expect(list.stdout.contains("/double"))

        let wrongCount = try await floe.ctl("call", "double", "1", "2")
        #expect(wrongCount.code == 2)
        #expect(wrongCount.stderr.contains("takes 1 argument, 2 given"))

        let unknown = try await floe.ctl("call", "nope", "1")
        #expect(unknown.code == 1)
        #expect(unknown.stderr.contains("function 'nope' does not exist"))

        // Bad input: the line is named, exit 2, nothing printed.
        let bad = "\(floe.root)/bad.jsonl"
        try "[1]\n[2\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let badCall = try await floe.ctl("call", "double", "--input", bad)
        #expect(badCall.code == 2)
        #expect(badCall.stderr.contains("input line 2"))

        // A batch that keeps failing ends the call after the results before it, with the service's error.
        let failing = "\(floe.root)/failing.jsonl"
        try (0..<300).map { $0 == 250 ? "[-1]\n" : "[\($0)]\n" }.joined().write(
            toFile: failing, atomically: true, encoding: .utf8)
        let failed = try await floe.ctl("call", "double", "--input", failing)
        #expect(failed.code == 1)
        #expect(failed.stderr.contains("batch 2 (rows 201-300) failed after 4 attempts"), "\(failed.stderr)")
        #expect(failed.stderr.contains("negative input"))
        let printed = failed.stdout.split(separator: "\n").map(String.init)
        #expect(printed.count <= 200)
        #expect(printed == (0..<printed.count).map { String($0 * 2) })

        // CSV in and out.
        let csv = "\(floe.root)/in.csv"
        try "x\n1\n2.5\n\n3\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let csvCall = try await floe.ctl(
            "call", "double", "--input", csv, "--format", "csv", "--header", "--output", "csv")
        #expect(csvCall.code == 0, "\(csvCall.stderr)")
        #expect(csvCall.stdout == "2\n5.0\n6\n")

        // Without a READY instance: a clear error after --wait seconds.
        floe.remove("fn_service.yaml")
        try await floe.eventually("fn_service is gone") {
            try await floe.ctl("services", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]"
        }
        let noInstance = try await floe.ctl("call", "double", "1", "--wait", "1")
        #expect(noInstance.code == 1)
        #expect(
            noInstance.stderr.contains("no READY instance of FN_SERVICE serves endpoint 'api'"), "\(noInstance.stderr)")
        await floe.tearDown()
    }
}
