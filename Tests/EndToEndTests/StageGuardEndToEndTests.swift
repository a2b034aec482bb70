import Foundation
import Testing

// Nested in the serialized end-to-end suite: one floed at a time, so that no floed inherits another
// test's pipes.
extension ServiceLifecycleTests {
    /// floed refuses what others could have written: a world-writable stage directory or spec file.
    @Suite("floed guards the stage")
    struct StageGuardEndToEndTests {
        @Test func aWorldWritableStageDirectoryIsRefusedAtStart() async throws {
            let floe = try FloeHarness()
            defer { try? FileManager.default.removeItem(atPath: floe.root) }
            chmod(floe.stage, 0o777)
            let code = try await floe.startExpectingExit()
            #expect(code == 1, "floed should refuse the stage; its log:\n\(floe.log())")
            let log = floe.log()
            #expect(log.contains("the stage directory is writable by every user"), "\(log)")
            #expect(log.contains("chmod go-w \(floe.stage)"), "\(log)")
        }

        @Test func aWorldWritableSpecFileIsNotRunUntilItsModeIsFixed() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try SystemdNotifyTests.idle.write(toFile: "\(floe.root)/idle.py", atomically: true, encoding: .utf8)
            try await floe.start()
            try floe.drop("open_door.yaml", SystemdNotifyTests.service(root: floe.root), mode: 0o666)
            try await floe.eventually("floectl services shows why OPEN_DOOR does not run") {
                let out = try await floe.ctl("services")
                return out.stdout.contains("OPEN_DOOR") && out.stdout.contains("writable by every user")
            }
            let json = try await floe.ctl("services", "--json").stdout
            #expect(json.contains("chmod go-w \(floe.stage)/open_door.yaml"), "\(json)")
            #expect(pids(matching: "\(floe.root)/idle.py").isEmpty)

            chmod("\(floe.stage)/open_door.yaml", 0o644)
            try await floe.eventually("OPEN_DOOR runs once its mode is fixed") {
                !pids(matching: "\(floe.root)/idle.py").isEmpty
            }
            let after = try await floe.ctl("services", "--json").stdout
            #expect(!after.contains("writable by every user"), "\(after)")
            await floe.tearDown()
        }
    }
}
