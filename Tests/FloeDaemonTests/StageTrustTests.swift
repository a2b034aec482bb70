import FloeSpec
import Foundation
import Testing

@testable import FloeDaemon

@Suite struct StageTrustTests {
    let groupWritable = StageProblem(.writableByGroup, path: "/s/a.yaml", message: "g+w", fix: "chmod g-w")
    let worldWritable = StageProblem(.writableByOthers, path: "/s/a.yaml", message: "o+w", fix: "chmod o-w")
    let foreignOwner = StageProblem(.untrustedOwner, path: "/s/a.yaml", message: "owner", fix: "chown")

    @Test func rootEnforcesEveryRule() {
        let trust = StageTrust(stageGuard: StageGuard(daemonUserID: 0, daemonUserName: "root"), isRoot: true)
        let all = [groupWritable, worldWritable, foreignOwner]
        #expect(trust.enforced(all) == all)
    }

    @Test func anOrdinaryUserAcceptsGroupWritableButNotWorldWritableOrForeign() {
        let trust = StageTrust(stageGuard: StageGuard(daemonUserID: 1000, daemonUserName: "ann"), isRoot: false)
        #expect(trust.enforced([groupWritable, worldWritable, foreignOwner]) == [worldWritable, foreignOwner])
    }

    @Test func aSpecFileThatFailsTheCheckIsAFileWithAnErrorAtOneOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floe-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = """
            spec:
              containers:
              - name: main
                image: /db/schema/repo/app:1
                command: [/bin/true]

            """
        try spec.write(to: directory.appendingPathComponent("app.yaml"), atomically: true, encoding: .utf8)
        var registry = StageRegistry(
            directory: directory.path, defaultPoolName: ObjectName("DEFAULT_POOL")!,
            defaultPool: ComputePoolSpec(instanceFamily: InstanceFamily.named("CPU_X64_S")!))
        let problem = worldWritable
        registry.fileCheck = { _ in [problem] }
        _ = registry.reload(["app.yaml"], now: Date())
        let entry = try #require(registry.entries["app.yaml"])
        let error = try #require(entry.errors.first)
        #expect(error.line == 1 && error.column == 1)
        #expect(error.message.contains("o+w") && error.message.contains("chmod o-w"))
        #expect(entry.lastGood == nil)
        #expect(registry.desiredState(complete: true).services.isEmpty)

        registry.fileCheck = { _ in [] }
        _ = registry.reload(["app.yaml"], now: Date())
        #expect(registry.entries["app.yaml"]?.errors.isEmpty == true)
        #expect(registry.desiredState(complete: true).services.count == 1)
    }
}
