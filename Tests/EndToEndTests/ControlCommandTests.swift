import Foundation
import Testing

extension ServiceLifecycleTests {
    /// End-to-end: floectl's commands that change the stage, and floed's own restart. Nested in the
    /// serialized end-to-end suite: on two cores, several floeds at once make each other late.
    @Suite("floectl commands end to end")
    struct ControlCommandTests {
        func makeHarness() async throws -> FloeHarness {
            let floe = try FloeHarness()
            try ServiceLifecycleTests.server.write(toFile: "\(floe.root)/server.py", atomically: true, encoding: .utf8)
            try await floe.start()
            return floe
        }

        @Test func applyValidatesFirstThenCopiesIntoTheStageAndDeleteRemoves() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let port = ServiceLifecycleTests.freePort()
            let good = ServiceLifecycleTests.service(root: floe.root, port: port, instances: 1, greeting: "applied")
            let outside = "\(floe.root)/applied_web.yaml"
            try good.replacingOccurrences(of: "command:", with: "comand:").write(
                toFile: outside, atomically: true, encoding: .utf8)
            let refused = try await floe.ctl("apply", outside)
            #expect(refused.code == 1)
            #expect(refused.stderr.contains("applied_web.yaml:8:5: error: unknown key 'comand'"))
            #expect(refused.stderr.contains("nothing was applied"))
            #expect(!FileManager.default.fileExists(atPath: "\(floe.stage)/applied_web.yaml"))

            try good.write(toFile: outside, atomically: true, encoding: .utf8)
            let applied = try await floe.ctl("apply", outside)
            #expect(applied.code == 0, "\(applied.stderr)")
            #expect(FileManager.default.fileExists(atPath: "\(floe.stage)/applied_web.yaml"))
            #expect(try await floe.ctl("wait", "applied_web", "--timeout", "60").code == 0)

            let deleted = try await floe.ctl("delete", "APPLIED_WEB")
            #expect(deleted.code == 0, "\(deleted.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(floe.stage)/applied_web.yaml"))
            try await floe.eventually("the service and its process are gone") {
                let services = try await floe.ctl("services", "--json")
                return services.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]"
                    && pids(matching: "\(floe.root)/server.py").isEmpty
            }
            let again = try await floe.ctl("delete", "applied_web")
            #expect(again.code == 1 && again.stderr.contains("no file"))
            await floe.tearDown()
        }

        @Test func executeJobWritesAJobFileWaitsAndPrintsItsStatus() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let spec = "\(floe.root)/hello_job_spec.yaml"
            try """
            spec:
              containers:
              - name: main
                image: /floe/test/job:latest
                command: [sh, -c, 'echo "hello from $SNOWFLAKE_JOB_INDEX"']
            """.write(toFile: spec, atomically: true, encoding: .utf8)
            let run = try await floe.ctl(
                "execute-job", "--pool", "DEFAULT_POOL", spec, "--name", "hello_job", "--replicas", "2")
            #expect(run.code == 0, "\(run.stderr)")
            #expect(run.stdout.contains("job HELLO_JOB submitted"))
            #expect(run.stdout.components(separatedBy: "\"status\":\"DONE\"").count == 3, "\(run.stdout)")
            let logs = try await floe.ctl("logs", "hello_job", "--instance", "1")
            #expect(logs.stdout == "hello from 1\n")
            let twice = try await floe.ctl("execute-job", "--pool", "DEFAULT_POOL", spec, "--name", "hello_job")
            #expect(twice.code == 1 && twice.stderr.contains("already exists"))
            let failing = "\(floe.root)/failing_job.yaml"
            try """
            spec:
              containers:
              - name: main
                image: /floe/test/job:latest
                command: [sh, -c, 'echo broken >&2; exit 3']
            """.write(toFile: failing, atomically: true, encoding: .utf8)
            let failed = try await floe.ctl("execute-job", "--pool", "DEFAULT_POOL", failing)
            #expect(failed.code == 1)
            #expect(failed.stdout.contains("\"status\":\"FAILED\""))
            let containers = try await floe.ctl("containers", "failing_job", "--json")
            #expect(containers.stdout.contains("\"last_exit_code\" : 3"))
            #expect(try await floe.ctl("logs", "failing_job").stdout == "broken\n")
            await floe.tearDown()
        }

        @Test func logsFollowKeepsPrintingWhatIsWritten() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            try floe.drop("ticker.yaml", ServiceLifecycleTests.ticker(every: "0.2"))
            #expect(try await floe.ctl("wait", "ticker", "--timeout", "60").code == 0)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "\(FloeHarness.binDirectory)/floectl")
            process.arguments = ["logs", "ticker", "--follow", "--socket", floe.socket]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            try await Task.sleep(for: .seconds(2))
            process.terminate()
            process.waitUntilExit()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let ticks = text.split(separator: "\n").filter { $0.hasPrefix("tick ") }
            #expect(ticks.count >= 4, "\(text)")
            // In order, no line twice.
            let numbers = ticks.compactMap { Int($0.dropFirst(5)) }
            #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
            await floe.tearDown()
        }

        @Test func twoInstancesThatNeedOnePortWaitAndStatusWithATimeoutWaitsForSteadyState() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let port = ServiceLifecycleTests.freePort()
            // The probe port is fixed, so both instances need it: on the host network only one can run.
            let spec = ServiceLifecycleTests.service(
                root: floe.root, port: port, instances: 2, greeting: "x", probe: true)
            try floe.drop("crowded.yaml", spec)
            let out = try await floe.ctl("status", "crowded", "--timeout", "3")
            let rows = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(rows.count == 2, "\(out.stdout)")
            #expect(rows.first { $0["instanceId"] as? String == "0" }?["status"] as? String == "READY")
            let second = rows.first { $0["instanceId"] as? String == "1" }
            #expect(second?["status"] as? String == "PENDING")
            #expect(
                (second?["message"] as? String ?? "").contains("Waiting for port \(port), held by CROWDED instance 0"),
                "\(out.stdout)")
            // MIN_READY_INSTANCES defaults to MIN_INSTANCES (2): one READY instance is not enough for RUNNING.
            let services = try await floe.ctl("services")
            #expect(services.stdout.contains("CROWDED") && services.stdout.contains("PENDING"))
            await floe.tearDown()
        }

        @Test func removingARunningJobCancelsItAndChangingItRunsItAgain() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            func job(_ seconds: String) -> String {
                """
                job:
                  stopGraceSeconds: 2
                spec:
                  containers:
                  - name: main
                    image: /floe/test/job:latest
                    command: [sh, -c, 'echo run; exec sleep \(seconds)', \(floe.root)]

                """
            }
            try floe.drop("slow_job.yaml", job("999"))
            try await floe.eventually("the job runs") {
                try await floe.status("slow_job").first?["status"] as? String == "READY"
                    && !pids(matching: "sleep 999").isEmpty
            }
            let sleeper = pids(matching: "sleep 999")
            floe.remove("slow_job.yaml")
            try await floe.eventually("the job is CANCELLED and its process gone") {
                let jobs = try await floe.ctl("jobs", "--json")
                return jobs.stdout.contains("\"CANCELLED\"") && sleeper.allSatisfy { !processExists($0) }
            }
            // A new file with the same name runs again.
            try floe.drop("slow_job.yaml", job("0"))
            #expect(try await floe.ctl("wait", "slow_job", "--for", "DONE", "--timeout", "60").code == 0)
            await floe.tearDown()
        }
    }
}
