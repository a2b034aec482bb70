import Foundation
import Testing

extension ServiceLifecycleTests {
    /// End-to-end: instances outlive floed and the next floed adopts them (floe-monitor between floed
    /// and each container). Nested in the serialized end-to-end suite.
    @Suite("adoption across floed restarts end to end")
    struct AdoptionEndToEndTests {
        func makeHarness() async throws -> FloeHarness {
            let floe = try FloeHarness()
            try ServiceLifecycleTests.server.write(toFile: "\(floe.root)/server.py", atomically: true, encoding: .utf8)
            try await floe.start()
            return floe
        }

        /// Whether floed's saved records (world.json) name process `pid`.
        static func recorded(_ floe: FloeHarness, pid: Int32) throws -> Bool {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(floe.state)/reconciler/world.json"))
            let world = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let instances = world?["instances"] as? [Any] ?? []
            return instances.contains { item in
                let containers = (item as? [String: Any])?["containers"] as? [[String: Any]] ?? []
                return containers.contains { ($0["handle"] as? [String: Any])?["pid"] as? Int == Int(pid) }
            }
        }

        func row(_ floe: FloeHarness, _ name: String, instance: String = "0") async throws -> [String: Any]? {
            try await floe.status(name).first { $0["instanceId"] as? String == instance }
        }

        @Test func aRestartedFloedAdoptsTheSameProcessesAndTheyStayReady() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let port = ServiceLifecycleTests.freePort()
            try floe.drop(
                "survivor.yaml",
                ServiceLifecycleTests.service(root: floe.root, port: port, instances: 1, greeting: "x", probe: true))
            #expect(try await floe.ctl("wait", "survivor", "--timeout", "60").code == 0)
            let before = pids(matching: "\(floe.root)/server.py")
            #expect(before.count == 1)
            let startedBefore = try await row(floe, "survivor")?["startTime"] as? String
            for signal in [SIGTERM, SIGKILL] {
                await floe.stopDaemon(signal: signal)
                #expect(before.allSatisfy(processExists))
                try await floe.start()
                #expect(try await floe.ctl("wait", "survivor", "--timeout", "60").code == 0)
                #expect(pids(matching: "\(floe.root)/server.py") == before, "after \(signal)")
                let row = try await row(floe, "survivor")
                #expect(row?["restartCount"] as? Int == 0, "after \(signal)")
                #expect(row?["status"] as? String == "READY")
                #expect(row?["startTime"] as? String == startedBefore)
            }
            let events = try await floe.ctl("events", "survivor")
            #expect(events.stdout.contains("process \(before[0]) still runs: adopted"), "\(events.stdout)")
            #expect(!events.stdout.contains("left by a previous floed run"))
            // What happened before the restarts is still there.
            #expect(events.stdout.contains("process \(before[0]) started"), "\(events.stdout)")
            let body = try await floe.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/"]).stdout
            #expect(body.contains("x"), "\(body)")
            await floe.tearDown()
        }

        @Test func anInstanceKilledWhileFloedIsDownIsSeenWith137AndRestarted() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let port = ServiceLifecycleTests.freePort()
            try floe.drop(
                "victim.yaml",
                ServiceLifecycleTests.service(root: floe.root, port: port, instances: 1, greeting: "v", probe: true))
            #expect(try await floe.ctl("wait", "victim", "--timeout", "60").code == 0)
            let before = try #require(pids(matching: "\(floe.root)/server.py").first)
            // floed's records have the instance (saved at most 500 ms after a change; a floed killed
            // before that finds the run but no instance for it, and starts the instance afresh).
            try await floe.eventually("the records name the process") { try Self.recorded(floe, pid: before) }
            await floe.stopDaemon(signal: SIGKILL)
            kill(before, SIGKILL)
            try await floe.eventually("the instance's process is gone") { !processExists(before) }
            try await floe.start()
            try await floe.eventually("restarted once, READY again, with exit code 137 recorded") {
                let row = try await row(floe, "victim")
                return row?["restartCount"] as? Int == 1 && row?["status"] as? String == "READY"
            }
            let containers = try await floe.ctl("containers", "victim", "--json")
            #expect(containers.stdout.contains("\"last_exit_code\" : 137"), "\(containers.stdout)")
            let now = pids(matching: "\(floe.root)/server.py")
            #expect(now.count == 1 && now[0] != before)
            let events = try await floe.ctl("events", "victim")
            #expect(events.stdout.contains("killed by signal 9 while floed was down"), "\(events.stdout)")
            await floe.tearDown()
        }

        @Test func aJobReplicaThatExits3WhileFloedIsDownEndsFailedWithCode3() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let go = "\(floe.root)/go"
            try floe.drop(
                "late_job.yaml",
                """
                job: {replicas: 1}
                spec:
                  containers:
                  - name: main
                    image: /floe/test/job:latest
                    command: [sh, -c, 'echo waiting; while [ ! -f \(go) ]; do sleep 0.05; done; echo leaving; exit 3']

                """)
            try await floe.eventually("the job runs") { !pids(matching: go).isEmpty }
            let job = try #require(pids(matching: go).first)
            await floe.stopDaemon(signal: SIGKILL)
            _ = FileManager.default.createFile(atPath: go, contents: Data())
            try await floe.eventually("the replica ended") { !processExists(job) }
            try await floe.start()
            try await floe.eventually("the job is FAILED") {
                try await floe.status("late_job").first?["status"] as? String == "FAILED"
            }
            let containers = try await floe.ctl("containers", "late_job", "--json")
            #expect(containers.stdout.contains("\"last_exit_code\" : 3"), "\(containers.stdout)")
            #expect(try await floe.ctl("logs", "late_job").stdout == "waiting\nleaving\n")
            await floe.tearDown()
        }

        @Test func logsGoOnInTheSameFileWithoutAGapAcrossARestart() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            try floe.drop("ticker.yaml", ServiceLifecycleTests.ticker(every: "0.05"))
            #expect(try await floe.ctl("wait", "ticker", "--timeout", "60").code == 0)
            try await Task.sleep(for: .milliseconds(300))
            await floe.stopDaemon(signal: SIGKILL)
            try await Task.sleep(for: .milliseconds(300))
            try await floe.start()
            var lines: [Substring] = []
            try await floe.eventually("more lines after the restart") {
                lines = try await floe.ctl("logs", "ticker").stdout.split(separator: "\n")
                return lines.count > 20
            }
            #expect(lines.enumerated().allSatisfy { $0.element == "tick \($0.offset)" }, "\(lines)")
            await floe.tearDown()
        }

        @Test func aSpecEditedWhileFloedIsDownUpgradesTheAdoptedInstanceAndARemovedOneStops() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let (port, other) = (ServiceLifecycleTests.freePort(), ServiceLifecycleTests.freePort())
            try floe.drop(
                "edited.yaml",
                ServiceLifecycleTests.service(root: floe.root, port: port, instances: 1, greeting: "old", probe: true))
            try floe.drop(
                "removed.yaml",
                ServiceLifecycleTests.service(root: floe.root, port: other, instances: 1, greeting: "gone", probe: true)
            )
            #expect(try await floe.ctl("wait", "edited", "removed", "--timeout", "60").code == 0)
            let before = pids(matching: "\(floe.root)/server.py")
            #expect(before.count == 2)
            await floe.stopDaemon()
            try floe.drop(
                "edited.yaml",
                ServiceLifecycleTests.service(root: floe.root, port: port, instances: 1, greeting: "new", probe: true))
            floe.remove("removed.yaml")
            try await floe.start()
            try await floe.eventually("the edited service answers with its new greeting, the removed one is gone") {
                let body = try await floe.run("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/"]).stdout
                let services = try await floe.ctl("services", "--json").stdout
                return body.contains("new") && !services.contains("REMOVED")
            }
            try await floe.eventually("no process of before is left; one runs") {
                let now = pids(matching: "\(floe.root)/server.py")
                return now.count == 1 && before.allSatisfy { !processExists($0) }
            }
            await floe.tearDown()
        }

        @Test func aFileBrokenWhileFloedIsDownKeepsItsInstanceOnTheLastGoodVersion() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let port = ServiceLifecycleTests.freePort()
            try floe.drop(
                "kept.yaml",
                ServiceLifecycleTests.service(root: floe.root, port: port, instances: 1, greeting: "k", probe: true))
            #expect(try await floe.ctl("wait", "kept", "--timeout", "60").code == 0)
            let before = pids(matching: "\(floe.root)/server.py")
            await floe.stopDaemon()
            try floe.drop("kept.yaml", "service:\n  minInstances: [1\n")
            try await floe.start()
            try await floe.eventually("the broken file is reported and the last good version keeps running") {
                let events = try await floe.ctl("events", "kept").stdout
                return events.contains("the last good version keeps running")
            }
            #expect(try await floe.ctl("wait", "kept", "--timeout", "30").code == 0)
            #expect(pids(matching: "\(floe.root)/server.py") == before)
            await floe.tearDown()
        }
    }
}
