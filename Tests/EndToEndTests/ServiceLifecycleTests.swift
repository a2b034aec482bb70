import Foundation
import Testing

/// End-to-end: the real floed on a temporary stage, driven and observed with the real floectl.
@Suite("floed end to end", .serialized)
struct ServiceLifecycleTests {
    /// A small HTTP server: listens on 127.0.0.1:(PORT + instance id), answers GREETING.
    static let server = """
        import http.server, os, sys, signal
        port = int(sys.argv[1]) + int(os.environ.get("SNOWFLAKE_SERVICE_INSTANCE_ID", "0"))
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = (os.environ.get("GREETING", "hello") + "\\n").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                print("request", self.path, flush=True)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        print("listening on", port, flush=True)
        http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
        """

    /// A port P such that P and P + 1 are free on 127.0.0.1 right now.
    static func freePort() -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000...40_000) / 10 * 10
            if isFree(port) && isFree(port + 1) { return port }
        }
        return Int.random(in: 20_000...40_000) / 10 * 10
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A service whose container prints "tick 0", "tick 1", ... every `seconds`.
    static func ticker(every seconds: String) -> String {
        """
        spec:
          containers:
          - name: tick
            image: /floe/test/tick:latest
            command: [sh, -c, 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep \(seconds); done']

        """
    }

    static func service(root: String, port: Int, instances: Int, greeting: String, probe: Bool = false) -> String {
        var text = """
            service:
              minInstances: \(instances)
              stopGraceSeconds: 5
            spec:
              containers:
              - name: web
                image: /floe/test/web:latest
                command: [python3, \(root)/server.py, "\(port)"]
                env:
                  GREETING: \(greeting)

            """
        if probe {
            text += """
                    readinessProbe:
                      port: \(port)
                      path: /healthz

                """
        }
        return text
    }

    func makeHarness() async throws -> FloeHarness {
        let floe = try FloeHarness()
        try Self.server.write(toFile: "\(floe.root)/server.py", atomically: true, encoding: .utf8)
        try await floe.start()
        return floe
    }

    /// The pid of the process of instance `id` of the test's server (read from /proc environ).
    func serverPID(_ floe: FloeHarness, instance id: Int) -> Int32? {
        pids(matching: "\(floe.root)/server.py").first { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            let vars = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return vars.contains("SNOWFLAKE_SERVICE_INSTANCE_ID=\(id)")
        }
    }

    /// `floectl wait` with several names: one timeout for all, each name's state on failure.
    @Test func waitTakesSeveralNames() async throws {
        let floe = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        try floe.drop("wait_a.yaml", Self.service(root: floe.root, port: Self.freePort(), instances: 1, greeting: "a"))
        try floe.drop("wait_b.yaml", Self.service(root: floe.root, port: Self.freePort(), instances: 1, greeting: "b"))
        // Never READY: its probe asks a port nothing listens on.
        try floe.drop(
            "wait_never.yaml",
            """
            service:
              stopGraceSeconds: 1
            spec:
              containers:
              - name: idle
                image: /floe/test/web:latest
                command: [sleep, "600"]
                readinessProbe:
                  port: \(Self.freePort())
                  path: /

            """)
        try await floe.eventually("wait_never loaded") { try await floe.ctl("status", "wait_never").code == 0 }
        let both = try await floe.ctl("wait", "wait_a", "WAIT_B", "--timeout", "60")
        #expect(both.code == 0, "\(both.stderr)")
        #expect(both.stdout == "WAIT_A is READY\nWAIT_B is READY\n")
        let three = try await floe.ctl("wait", "wait_a", "wait_never", "wait_b", "--timeout", "1")
        #expect(three.code == 1)
        #expect(three.stdout == "WAIT_A is READY\nWAIT_B is READY\n")
        #expect(three.stderr.contains("not READY within 1.0 s: WAIT_NEVER is PENDING"), "\(three.stderr)")
        let json = try await floe.ctl("wait", "wait_b", "wait_never", "--timeout", "0.2", "--json")
        #expect(json.code == 1)
        let answer = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(answer?["reached"] as? Bool == false)
        let objects = answer?["objects"] as? [[String: Any]] ?? []
        #expect(objects.map { $0["name"] as? String } == ["WAIT_B", "WAIT_NEVER"])
        #expect(objects.map { $0["reached"] as? Bool } == [true, false])
        let unknown = try await floe.ctl("wait", "wait_a", "no_such_service", "--timeout", "1")
        #expect(unknown.code == 1)
        #expect(unknown.stderr.contains("'no_such_service' does not exist"), "\(unknown.stderr)")
    }

    @Test func twoInstancesBecomeReadyAndAKilledOneComesBack() async throws {
        let floe = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = Self.freePort()
        try floe.drop("web_pair.yaml", Self.service(root: floe.root, port: port, instances: 2, greeting: "one"))
        let waited = try await floe.ctl("wait", "web_pair", "--for", "READY", "--timeout", "60")
        #expect(waited.code == 0, "\(waited.stderr)\n\(floe.log().suffix(3000))")
        let rows = try await floe.status("web_pair")
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["status"] as? String == "READY" && $0["message"] as? String == "Running" })
        #expect(rows.map { $0["instanceId"] as? String } == ["0", "1"])
        #expect(rows.allSatisfy { $0["serviceName"] as? String == "WEB_PAIR" })

        let victim = try #require(serverPID(floe, instance: 1))
        kill(victim, SIGKILL)
        try await floe.eventually("instance 1 restarted once and READY again") {
            let rows = try await floe.status("web_pair")
            let one = rows.first { $0["instanceId"] as? String == "1" }
            return one?["restartCount"] as? Int == 1 && one?["status"] as? String == "READY"
        }
        let zero = try await floe.status("web_pair").first { $0["instanceId"] as? String == "0" }
        #expect(zero?["restartCount"] as? Int == 0)
        let containers = try await floe.ctl("containers", "web_pair", "--json")
        #expect(containers.stdout.contains("\"last_exit_code\" : 137"))
        await floe.tearDown()
    }

    @Test func editingTheSpecUpgradesOneInstanceAtATimeFromTheHighestId() async throws {
        let floe = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = Self.freePort()
        try floe.drop("rolling.yaml", Self.service(root: floe.root, port: port, instances: 2, greeting: "v1"))
        #expect(try await floe.ctl("wait", "rolling", "--timeout", "60").code == 0)
        let before = try await floe.ctl("describe", "rolling", "--json")
        try floe.drop("rolling.yaml", Self.service(root: floe.root, port: port, instances: 2, greeting: "v2"))
        try await floe.eventually("both instances run v2") {
            let a = try await floe.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/"])
            let b = try await floe.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port + 1)/"])
            return a.stdout == "v2\n" && b.stdout == "v2\n"
        }
        #expect(try await floe.ctl("wait", "rolling", "--timeout", "60").code == 0)
        let after = try await floe.ctl("describe", "rolling", "--json")
        #expect(before.stdout != after.stdout)
        // The order of events: instance 1 stops, comes back and is READY before instance 0 stops.
        let events = try await floe.ctl("events", "rolling", "--json")
        let records = try JSONSerialization.jsonObject(with: Data(events.stdout.utf8)) as? [[String: Any]] ?? []
        let upgradeSteps = records.compactMap { record -> String? in
            let reason = record["reason"] as? String ?? ""
            let id = record["instanceId"] as? String ?? "-"
            if reason == "stopping" { return "stop\(id)" }
            if reason == "restarted" || reason == "started" { return "start\(id)" }
            return nil
        }
        // First start of both, then the rolling part.
        let rolling = Array(upgradeSteps.drop { $0 != "stop1" && $0 != "stop0" })
        #expect(rolling.first == "stop1", "events: \(upgradeSteps)")
        if let stop0 = rolling.firstIndex(of: "stop0"), let start1 = rolling.firstIndex(of: "start1") {
            #expect(start1 < stop0, "instance 1 must be back before instance 0 stops: \(rolling)")
        } else {
            Issue.record("missing upgrade steps: \(rolling)")
        }
        await floe.tearDown()
    }

    @Test func aReadinessProbeGatesReadyAndABrokenEditKeepsTheOldVersion() async throws {
        let floe = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = Self.freePort()
        try floe.drop(
            "probed.yaml", Self.service(root: floe.root, port: port, instances: 1, greeting: "good", probe: true))
        #expect(try await floe.ctl("wait", "probed", "--timeout", "60").code == 0)
        let pid = try #require(serverPID(floe, instance: 0))
        // A typo: readinesProbe. The old version keeps running; the error shows.
        let broken = Self.service(root: floe.root, port: port, instances: 1, greeting: "bad", probe: true)
            .replacingOccurrences(of: "readinessProbe", with: "readinesProbe")
        try floe.drop("probed.yaml", broken)
        try await floe.eventually("the error shows in floectl services") {
            let out = try await floe.ctl("services")
            return out.stdout.contains("readinesProbe")
        }
        let describe = try await floe.ctl("describe", "probed")
        #expect(describe.stdout.contains("did you mean 'readinessProbe'"))
        #expect(processExists(pid))
        let rows = try await floe.status("probed")
        #expect(rows.first?["status"] as? String == "READY")
        let body = try await floe.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/"])
        #expect(body.stdout == "good\n")
        // Fixing the file upgrades to the new version.
        try floe.drop(
            "probed.yaml", Self.service(root: floe.root, port: port, instances: 1, greeting: "fixed", probe: true))
        try await floe.eventually("the fixed version runs") {
            try await floe.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/"]).stdout == "fixed\n"
        }
        await floe.tearDown()
    }

    @Test func aJobWithTwoReplicasEndsDoneAndItsLogsAreReadable() async throws {
        let floe = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        try floe.drop(
            "count_job.yaml",
            """
            job:
              replicas: 2
            spec:
              containers:
              - name: main
                image: /floe/test/job:latest
                command: [sh, -c, 'echo "replica $SNOWFLAKE_JOB_INDEX of $SNOWFLAKE_JOBS_COUNT"']

            """)
        let waited = try await floe.ctl("wait", "count_job", "--for", "DONE", "--timeout", "60")
        #expect(waited.code == 0, "\(waited.stderr)")
        let rows = try await floe.status("count_job")
        #expect(rows.count == 2)
        #expect(
            rows.allSatisfy {
                $0["status"] as? String == "DONE" && $0["message"] as? String == "Completed successfully"
            })
        let logs = try await floe.ctl("logs", "count_job", "--instance", "1")
        #expect(logs.stdout == "replica 1 of 2\n")
        let jobs = try await floe.ctl("jobs")
        #expect(jobs.stdout.contains("COUNT_JOB") && jobs.stdout.contains("DONE"))
        await floe.tearDown()
    }

    @Test func removingAFileStopsItsProcessesAndLeavesNoneBehind() async throws {
        let floe = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = Self.freePort()
        // The server also starts a grandchild (sleep) that must not survive.
        try floe.drop(
            "leaver.yaml",
            """
            service:
              stopGraceSeconds: 3
            spec:
              containers:
              - name: web
                image: /floe/test/web:latest
                command: [sh, -c, 'sleep 1000 & exec python3 \(floe.root)/server.py \(port)']

            """)
        #expect(try await floe.ctl("wait", "leaver", "--timeout", "60").code == 0)
        try await floe.eventually("the server and its grandchild run") {
            pids(matching: "\(floe.root)/server.py").count == 1 && !pids(matching: "sleep 1000").isEmpty
        }
        let sleepers = pids(matching: "sleep 1000")
        floe.remove("leaver.yaml")
        try await floe.eventually("no process is left") {
            pids(matching: "\(floe.root)/server.py").isEmpty && sleepers.allSatisfy { !processExists($0) }
        }
        try await floe.eventually("the service is gone") {
            try await floe.ctl("services", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]"
        }
        await floe.tearDown()
    }

    @Test func floectlSaysClearlyWhenSomethingIsWrong() async throws {
        let floe = try FloeHarness()
        // No daemon.
        let down = try await floe.ctl("services")
        #expect(down.code != 0)
        #expect(down.stderr.contains("floed is not running"))
        try await floe.start()
        let unknown = try await floe.ctl("status", "nope")
        #expect(unknown.code != 0)
        #expect(unknown.stderr.contains("'nope' does not exist"))
        await floe.tearDown()
    }
}
