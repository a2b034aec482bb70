import Foundation
import Testing

extension ServiceLifecycleTests {
    /// End-to-end: floectl's global options (before or after the command's name) and `--json` on
    /// every command. Nested in the serialized end-to-end suite, like the other floectl tests.
    @Suite("floectl options and JSON output end to end")
    struct FloectlOutputTests {
        func makeHarness() async throws -> FloeHarness {
            let floe = try FloeHarness()
            try ServiceLifecycleTests.server.write(toFile: "\(floe.root)/server.py", atomically: true, encoding: .utf8)
            try await floe.start()
            return floe
        }

        /// The output as JSON (one document), or nil with the reason recorded.
        func json(
            _ out: FloeHarness.Output, _ command: String, sourceLocation: SourceLocation = #_sourceLocation
        ) -> Any? {
            do {
                return try JSONSerialization.jsonObject(with: Data(out.stdout.utf8), options: [.fragmentsAllowed])
            } catch {
                Issue.record(
                    "\(command) --json printed no JSON (exit \(out.code)):\n\(out.stdout)\nstderr: \(out.stderr)",
                    sourceLocation: sourceLocation)
                return nil
            }
        }

        /// The output as one JSON object.
        func object(
            _ out: FloeHarness.Output, _ command: String, sourceLocation: SourceLocation = #_sourceLocation
        ) -> [String: Any] {
            let value = json(out, command, sourceLocation: sourceLocation)
            if value != nil && !(value is [String: Any]) {
                Issue.record("\(command) --json printed \(out.stdout), not an object", sourceLocation: sourceLocation)
            }
            return value as? [String: Any] ?? [:]
        }

        @Test func globalOptionsGoBeforeOrAfterTheCommand() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let socket = floe.socket

            // floectl sees no FLOE_SOCKET here: only --socket says where floed is, wherever it stands.
            let before = try await floe.ctlWithoutSocket("--socket", socket, "services")
            #expect(before.code == 0, "\(before.stderr)")
            #expect(before.stdout.hasPrefix("name"), "\(before.stdout)")
            let after = try await floe.ctlWithoutSocket("services", "--socket", socket)
            #expect(after.code == 0, "\(after.stderr)")
            #expect(after.stdout == before.stdout)
            #expect(try await floe.ctlWithoutSocket("--socket=\(socket)", "pools").code == 0)

            // An option before the command is used, not just accepted.
            let elsewhere = try await floe.ctlWithoutSocket("--socket", "\(floe.root)/nobody.sock", "services")
            #expect(elsewhere.code == 1)
            #expect(elsewhere.stderr.contains("\(floe.root)/nobody.sock"), "\(elsewhere.stderr)")

            // Both options, split around the command, and before a command of a command.
            let split = try await floe.ctlWithoutSocket("--json", "services", "--socket", socket)
            #expect(split.code == 0, "\(split.stderr)")
            #expect(json(split, "services") is [Any])
            let nested = try await floe.ctlWithoutSocket("--socket", socket, "--json", "token", "list")
            #expect(nested.code == 0, "\(nested.stderr)")
            #expect(json(nested, "token list") is [Any])
            let nestedAfter = try await floe.ctlWithoutSocket("token", "list", "--json", "--socket", socket)
            #expect(nestedAfter.code == 0 && nestedAfter.stdout == nested.stdout, "\(nestedAfter.stderr)")

            // validate reads files only; --json before it still applies.
            let file = "\(floe.root)/bad_spec.yaml"
            try "spec:\n  containers: []\n".write(toFile: file, atomically: true, encoding: .utf8)
            let validated = try await floe.ctlWithoutSocket("--json", "validate", file)
            #expect(validated.code == 1)
            #expect(object(validated, "validate")["errors"] as? Int == 1)

            // Mistakes are still named clearly.
            let unknown = try await floe.ctlWithoutSocket("--socket", socket, "--bogus", "services")
            #expect(unknown.code == 64)
            #expect(unknown.stderr.contains("Unknown option '--bogus'"), "\(unknown.stderr)")
            let missing = try await floe.ctlWithoutSocket("services", "--socket")
            #expect(missing.code == 64)
            #expect(missing.stderr.contains("Missing value for '--socket <socket>'"), "\(missing.stderr)")

            // --help lists them, for floectl and for each command.
            for arguments in [["--help"], ["services", "--help"], ["token", "revoke", "--help"]] {
                let help = try await floe.run("\(FloeHarness.binDirectory)/floectl", arguments)
                #expect(help.stdout.contains("GLOBAL OPTIONS:"), "\(arguments): \(help.stdout)")
                #expect(help.stdout.contains("--socket <socket>") && help.stdout.contains("--json"))
            }
            await floe.tearDown()
        }

        @Test func everyCommandPrintsJSONWithTheFlag() async throws {
            let floe = try await makeHarness()
            defer { Task { await floe.tearDown() } }
            let port = ServiceLifecycleTests.freePort()
            let good = ServiceLifecycleTests.service(root: floe.root, port: port, instances: 1, greeting: "json")
            let file = "\(floe.root)/json_web.yaml"

            // apply: the diagnostics when it refuses, the files when it applies.
            try good.replacingOccurrences(of: "command:", with: "comand:").write(
                toFile: file, atomically: true, encoding: .utf8)
            let refused = try await floe.ctl("apply", file, "--json")
            #expect(refused.code == 1)
            let refusal = object(refused, "apply")
            #expect(refusal["ok"] as? Bool == false)
            #expect((refusal["diagnostics"] as? [Any])?.isEmpty == false, "\(refused.stdout)")
            try good.write(toFile: file, atomically: true, encoding: .utf8)
            let applied = try await floe.ctl("--json", "apply", file)
            #expect(applied.code == 0, "\(applied.stderr)")
            let application = object(applied, "apply")
            #expect(application["ok"] as? Bool == true && application["action"] as? String == "apply")
            let files = application["applied"] as? [[String: Any]] ?? []
            #expect(files.first?["path"] as? String == "\(floe.stage)/json_web.yaml", "\(applied.stdout)")

            let waited = try await floe.ctl("wait", "json_web", "--timeout", "60", "--json")
            #expect(waited.code == 0, "\(waited.stderr)")
            #expect(object(waited, "wait")["objects"] is [Any])

            // The listings and descriptions: the API's JSON.
            for command in [
                ["status", "json_web"], ["services"], ["jobs"], ["describe", "json_web"], ["containers", "json_web"],
                ["instances", "json_web"], ["pools"], ["events", "json_web"], ["endpoints", "json_web"],
                ["functions"], ["token", "list"], ["secret", "list"],
            ] {
                let out = try await floe.run(
                    "\(FloeHarness.binDirectory)/floectl", command + ["--json"], socket: true)
                #expect(out.code == 0, "\(command): \(out.stderr)")
                #expect(json(out, command.joined(separator: " ")) != nil)
            }

            // logs: one {"line": ...} object per log line.
            try await floe.eventually("the server says it listens") {
                try await floe.ctl("logs", "json_web").stdout.contains("listening on")
            }
            let logs = try await floe.ctl("logs", "json_web", "--json")
            #expect(logs.code == 0, "\(logs.stderr)")
            let lines = logs.stdout.split(separator: "\n").map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: String]
            }
            #expect(!lines.isEmpty && lines.allSatisfy { $0 != nil }, "\(logs.stdout)")
            #expect(lines.contains { $0?["line"] == "listening on \(port)" }, "\(logs.stdout)")

            // Commands that change something: {"ok": true, "action": ..., ...}.
            let suspended = object(try await floe.ctl("suspend", "json_web", "--json"), "suspend")
            #expect(suspended["ok"] as? Bool == true && suspended["action"] as? String == "suspend")
            #expect(suspended["name"] as? String == "JSON_WEB" && suspended["status"] is String)
            let resumed = object(try await floe.ctl("--json", "resume", "json_web"), "resume")
            #expect(resumed["action"] as? String == "resume" && resumed["status"] is String)

            let created = object(try await floe.ctl("token", "create", "json_ci", "--json"), "token create")
            #expect((created["token"] as? String)?.hasPrefix("floe_") == true)
            let revoked = object(try await floe.ctl("token", "revoke", "json_ci", "--json"), "token revoke")
            #expect(revoked["ok"] as? Bool == true && revoked["action"] as? String == "token revoke")
            #expect(revoked["name"] as? String == "json_ci")

            let set = try await floe.ctlWithoutSocket(
                input: "s3cret\n", "--socket", floe.socket, "secret", "set", "json_secret", "--string-stdin", "--json")
            #expect(set.code == 0, "\(set.stderr)")
            let secret = object(set, "secret set")
            #expect(secret["action"] as? String == "secret set" && secret["name"] as? String == "JSON_SECRET")
            #expect(!set.stdout.contains("s3cret"))
            let secretDeleted = object(
                try await floe.ctl("secret", "delete", "json_secret", "--json"), "secret delete")
            #expect(secretDeleted["ok"] as? Bool == true && secretDeleted["name"] as? String == "JSON_SECRET")

            // execute-job: the job and, unless --async, how it ended.
            let spec = "\(floe.root)/json_job.yaml"
            try """
            spec:
              containers:
              - name: main
                image: /floe/test/job:latest
                command: [sh, -c, 'echo done']
            """.write(toFile: spec, atomically: true, encoding: .utf8)
            let job = try await floe.ctl("execute-job", "--pool", "DEFAULT_POOL", spec, "--json")
            #expect(job.code == 0, "\(job.stderr)")
            let ended = object(job, "execute-job")
            #expect(ended["ok"] as? Bool == true && ended["finished"] as? Bool == true, "\(job.stdout)")
            let rows = ended["containers"] as? [[String: Any]] ?? []
            #expect(rows.count == 1 && rows.first?["status"] as? String == "DONE", "\(job.stdout)")
            let submitted = object(
                try await floe.ctl(
                    "--json", "execute-job", "--pool", "DEFAULT_POOL", spec, "--name", "json_async", "--async"),
                "execute-job --async")
            #expect(submitted["name"] as? String == "JSON_ASYNC" && submitted["finished"] as? Bool == false)
            #expect(submitted["file"] as? String == "\(floe.stage)/json_async.yaml")

            // delete: the file it removed.
            let deleted = try await floe.ctl("delete", "json_web", "--json")
            #expect(deleted.code == 0, "\(deleted.stderr)")
            let deletion = object(deleted, "delete")
            #expect(deletion["action"] as? String == "delete" && deletion["name"] as? String == "JSON_WEB")
            #expect(deletion["file"] as? String == "\(floe.stage)/json_web.yaml")

            // call: --json is JSON lines, which --output csv contradicts.
            let csv = try await floe.ctl("call", "nothing", "--input", "-", "--output", "csv", "--json")
            #expect(csv.code == 64)
            #expect(csv.stderr.contains("--json prints JSON lines"), "\(csv.stderr)")
            await floe.tearDown()
        }
    }
}
