import FloeSpec
import Foundation
import Testing

@testable import FloeDaemon

@Suite("Stage registry")
struct StageRegistryTests {
    /// The registry finds images the way the stage checker matches them, digests included.
    @Test func imageReferencesAreMatchedLikeTheStageChecker() {
        #expect(StageRegistry.normalise("/db/schema/repo/app") == "/db/schema/repo/app:latest")
        #expect(StageRegistry.normalise("/db/schema/repo/app:v2") == "/db/schema/repo/app:v2")
        #expect(StageRegistry.normalise("/db/schema/repo/app@sha256:ab12") == "/db/schema/repo/app@sha256:ab12")
        #expect(StageRegistry.normalise("registry:5000/repo/app") == "registry:5000/repo/app:latest")
    }
}

extension StageRegistryTests {
    static let pool = ComputePoolSpec(instanceFamily: InstanceFamily.named("CPU_X64_S")!)

    /// A file broken when floed starts keeps its object on the last good version a previous floed kept.
    @Test func aFileBrokenAtStartKeepsItsLastGoodVersionFromTheStateDirectory() throws {
        let root = NSTemporaryDirectory() + "floe-good-\(UUID().uuidString)"
        let stage = root + "/stage"
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = LastGoodStore(directory: root + "/stage-good")
        let good = "spec:\n  containers:\n  - name: main\n    image: /db/s/r/app:latest\n    command: [/bin/true]\n"
        try good.write(toFile: stage + "/web.yaml", atomically: true, encoding: .utf8)
        var first = StageRegistry(
            directory: stage, defaultPoolName: ObjectName("DEFAULT_POOL")!, defaultPool: Self.pool)
        first.lastGoodStore = store
        _ = first.reload(["web.yaml"], all: ["web.yaml"], now: Date())
        #expect(first.desiredState(complete: true).services[ObjectName("web")!] != nil)

        // floed stops; the file is broken meanwhile; a new floed reads the stage.
        try "spec:\n  containers: [oops\n".write(toFile: stage + "/web.yaml", atomically: true, encoding: .utf8)
        var second = StageRegistry(
            directory: stage, defaultPoolName: ObjectName("DEFAULT_POOL")!, defaultPool: Self.pool)
        second.lastGoodStore = store
        let changes = second.reload(["web.yaml"], all: ["web.yaml"], now: Date())
        #expect(second.desiredState(complete: true).services[ObjectName("web")!] != nil)
        #expect(second.entries["web.yaml"]?.lastGoodText == good)
        #expect(second.entries["web.yaml"]?.latest.hasErrors == true)
        guard case .rejected(_, _, _, let keepsRunning) = changes.first else {
            Issue.record("expected the broken file to be rejected: \(changes)")
            return
        }
        #expect(keepsRunning)

        // Without the kept text it would count as removed.
        var bare = StageRegistry(directory: stage, defaultPoolName: ObjectName("DEFAULT_POOL")!, defaultPool: Self.pool)
        _ = bare.reload(["web.yaml"], all: ["web.yaml"], now: Date())
        #expect(bare.desiredState(complete: true).services[ObjectName("web")!] == nil)
        // A removed file forgets its kept text.
        try FileManager.default.removeItem(atPath: stage + "/web.yaml")
        _ = second.reload(["web.yaml"], all: [], now: Date())
        #expect(store.load("web.yaml") == nil)
    }
}
