import FloeAPI
import FloeCore
import FloeRuntime
import FloeSpec
import FloeTesting
import Foundation
import Testing

@testable import FloeDaemon

/// The reconcile loop and its runners driven with fakes: what happens when events come in the orders
/// races put them in.
@Suite("Reconcile loop with fakes")
struct ReconcileLoopTests {
    @Test func aStartThatFailsLeavesThePendingMessageAndIsRetriedAfterTheBackoff() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        h.runtime.failStarts(of: nil, with: .executableNotFound("serve"))
        try await h.drop("web.yaml", LoopHarness.service())
        #expect(await h.until { h.events("web", "start-failed").count == 1 })
        let row = try #require(try h.queries.containers("web").first)
        #expect(row.status == "PENDING")
        #expect(row.message.hasPrefix("Failed to pull image: executable 'serve' not found"))
        #expect(h.runtime.running.isEmpty)
        // Not before the backoff: nothing is started while the clock stands still.
        try await Task.sleep(for: .milliseconds(50))
        #expect(h.runtime.startCount == 1)
        h.runtime.failStarts(of: nil, with: nil)
        h.clock.advance(by: .seconds(120))
        #expect(await h.until { h.statuses("web") == ["READY"] })
        #expect(h.runtime.startCount == 2)
        #expect(h.runtime.running.count == 1)
    }

    @Test func anExitDuringAStopEndsTheStopWithoutARestart() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        try await h.drop("web.yaml", LoopHarness.service())
        #expect(await h.until { h.statuses("web") == ["READY"] })
        // The process does not end on SIGTERM; it ends by itself during its grace time.
        h.runtime.setStopsExit(false)
        try await h.remove("web.yaml")
        #expect(await h.until { h.runtime.processes.first?.stops == 1 })
        #expect(h.statuses("web") == ["TERMINATING"])
        #expect(h.runtime.exit(ObjectName("web")!, 0, "main", with: ContainerExit(exitCode: 0, signal: nil)))
        #expect(await h.until { (try? h.queries.instances("web")) == nil })
        #expect(h.events("web", "stopped").count == 1)
        h.clock.advance(by: .seconds(600))
        try await Task.sleep(for: .milliseconds(50))
        #expect(h.runtime.startCount == 1)
        #expect(h.runtime.running.isEmpty)
    }

    @Test func anExitRacingALivenessRestartStartsExactlyOneNewProcess() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        h.prober.script(8001, [.failure("connection refused")])
        h.runtime.setStopsExit(false)
        try await h.drop("web.yaml", LoopHarness.service(liveness: true))
        // The liveness probe fails: the loop restarts the container (its stop does not end it yet)...
        #expect(await h.until { h.events("web", "liveness-failed").count == 1 })
        h.prober.script(8001, [.success])
        #expect(await h.until { h.runtime.processes.first?.stops == 1 })
        // ...and the process ends by itself at the same time.
        #expect(h.runtime.exit(ObjectName("web")!, 0, "main", with: ContainerExit(exitCode: 1, signal: nil)))
        #expect(await h.until { h.events("web", "exited").count == 1 })
        h.clock.advance(by: .seconds(120))
        #expect(await h.until { h.statuses("web") == ["READY"] })
        try await Task.sleep(for: .milliseconds(50))
        #expect(h.runtime.startCount == 2)
        #expect(h.runtime.running.count == 1)
        #expect(try h.queries.containers("web").first?.restartCount == 1)
        #expect(h.events("web", "exited").count == 1)
    }

    @Test func aProbeAnswerForAnInstanceAlreadyGoneChangesNothing() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        h.prober.script(8000, [nil])  // readiness answers are held
        try await h.drop("web.yaml", LoopHarness.service(probe: true))
        #expect(await h.until { !h.prober.calls.isEmpty })
        #expect(h.statuses("web") == ["PENDING"])
        let key = InstanceKey(ObjectName("web")!, 0)
        try await h.remove("web.yaml")
        #expect(await h.until { (try? h.queries.instances("web")) == nil })
        #expect(h.loop.probes.count == 0)
        // The held answer comes back, and one from a probe run that never existed reaches the loop.
        h.prober.answerHeld(.success)
        h.loop.send(
            .probes([
                ProbeOutcome(
                    probe: ProbeKey(ref: ContainerRef(key, "main"), liveness: false), run: 1, result: .success,
                    threshold: 3)
            ]))
        try await h.drop("other.yaml", LoopHarness.service())
        #expect(await h.until { h.statuses("other") == ["READY"] })
        #expect(h.events("web", "ready").isEmpty)
        #expect((try? h.queries.instances("web")) == nil)
    }

    @Test func aStageChangeDuringAnUpgradeConvergesOnTheLastVersion() async throws {
        let h = try await LoopHarness(network: RecordingInstanceNetwork())
        defer { Task { await h.tearDown() } }
        try await h.drop("web.yaml", LoopHarness.service(instances: 2, env: "v1"))
        #expect(await h.until { h.statuses("web") == ["READY", "READY"] })
        // The upgrade to v2 stops instance 1 and starts its replacement, whose start hangs...
        h.runtime.holdStarts()
        try await h.drop("web.yaml", LoopHarness.service(instances: 2, env: "v2"))
        #expect(await h.until { h.runtime.heldStarts == 1 })
        // ...while the file changes again.
        try await h.drop("web.yaml", LoopHarness.service(instances: 2, env: "v3"))
        h.runtime.releaseStarts()
        #expect(await h.until { h.runningVersions == ["v3", "v3"] && h.statuses("web") == ["READY", "READY"] })
        let describe = try h.queries.describe("web")
        #expect(!describe.isUpgrading)
        #expect(Set(try h.queries.instances("web").map(\.specDigest)).count == 1)
    }

    @Test func aStopAskedWhileTheStartIsUnderWayStopsWhatTheStartMade() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        h.runtime.holdStarts()
        try await h.drop("web.yaml", LoopHarness.service())
        #expect(await h.until { h.runtime.heldStarts == 1 })
        try await h.remove("web.yaml")
        h.runtime.releaseStarts()
        #expect(await h.until { (try? h.queries.instances("web")) == nil })
        #expect(h.runtime.running.isEmpty)
        #expect(h.runtime.processes.count == 1)
        #expect(h.runtime.processes.first?.stops == 1)
    }

    @Test func theWorldIsSavedToTheStoreAndRestoredFromIt() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        try await h.drop("web.yaml", LoopHarness.service())
        #expect(await h.until { h.statuses("web") == ["READY"] })
        h.clock.advance(by: .seconds(1))
        #expect(await h.until { h.store.saved?.instances.count == 1 })
        let saved = try #require(h.store.saved)
        // A new floed on the same state: the process the first one left is stopped; the record is kept.
        let next = try await LoopHarness(world: saved)
        defer { Task { await next.tearDown() } }
        #expect(next.loop.events.list(object: nil, limit: 10).contains { $0.reason == "restored" })
        #expect(try next.queries.instances("web").count == 1)
    }

    @Test func commandsChangeTheWorldThroughTheLoop() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        try await h.drop("web.yaml", LoopHarness.service())
        #expect(await h.until { h.statuses("web") == ["READY"] })
        let suspended = try await h.queries.suspendService("web")
        #expect(suspended == "SUSPENDING" || suspended == "SUSPENDED")
        #expect(await h.until { h.runtime.running.isEmpty })
        #expect(await h.until { (try? h.queries.describe("web").status) == "SUSPENDED" })
        let resumed = try await h.queries.resumeService("web")
        #expect(resumed == "PENDING" || resumed == "RUNNING")
        #expect(await h.until { h.statuses("web") == ["READY"] })
        await #expect(throws: SuspensionError.self) { try await h.queries.suspendService("nothing") }
    }

    @Test func aJobReplicaRunAgainByItsRetriesGivesBackItsNetworkEachTime() async throws {
        let network = RecordingInstanceNetwork()
        let h = try await LoopHarness(network: network)
        defer { Task { await h.tearDown() } }
        try await h.drop(
            "batch.yaml",
            """
            job:
              replicas: 1
              retries: 1
            spec:
              containers:
              - name: main
                image: /floe/test/app:latest
                command: [work]

            """)
        let name = ObjectName("batch")!
        #expect(await h.until { h.runtime.running.count == 1 })
        #expect(h.runtime.exit(name, 0, "main", with: ContainerExit(exitCode: 1, signal: nil)))
        h.clock.advance(by: .seconds(120))
        #expect(await h.until { h.runtime.running.count == 1 && h.runtime.startCount == 2 })
        #expect(h.runtime.exit(name, 0, "main", with: ContainerExit(exitCode: 0, signal: nil)))
        #expect(await h.until { (try? h.queries.describe("batch").status) == "DONE" })
        #expect(await h.until { network.attached.isEmpty })
        let attaches = network.calls.filter { if case .attach = $0 { true } else { false } }
        #expect(attaches.count == 2)
    }
}
