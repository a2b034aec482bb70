import FloeAPI
import FloeCore
import FloeRuntime
import FloeSpec
import FloeTesting
import Foundation
import Testing

@testable import FloeDaemon

/// The query side answers from snapshots: READY backends from an index built once per snapshot, waits
/// woken by publications.
@Suite("Query side")
struct QuerySideTests {
    @Test func anInstanceThatStopsBeingReadyGetsNoTrafficFromTheSnapshotThatSaysSo() async throws {
        let network = RecordingInstanceNetwork()
        let h = try await LoopHarness(network: network)
        defer { Task { await h.tearDown() } }
        try await h.drop("web.yaml", LoopHarness.service(instances: 2, probe: true))
        #expect(await h.until { h.statuses("web") == ["READY", "READY"] })
        let name = ObjectName("web")!
        let before = h.queries.readyBackends(service: name, endpoint: "api")
        #expect(before.map(\.key.id) == [0, 1])
        #expect(Set(before.map(\.host)).count == 2)
        #expect(before.allSatisfy { $0.port == 8000 && $0.host.hasPrefix("10.99.") })
        #expect(h.queries.readyBackends(service: name, endpoint: "nope").isEmpty)
        // Instance 1's process ends and cannot start again: the snapshot that shows it no longer READY
        // has one backend.
        h.runtime.failStarts(of: name, with: .spawnFailed("no more processes"))
        #expect(h.runtime.exit(name, 1, "main", with: ContainerExit(exitCode: 1, signal: nil)))
        #expect(await h.until { h.statuses("web").last != "READY" })
        let snapshot = h.loop.broadcaster.current
        #expect(snapshot.backends.backends(service: name, endpoint: "api").map(\.key.id) == [0])
        #expect(h.queries.readyBackends(service: name, endpoint: "api").map(\.key.id) == [0])
        // The services' routes handed to the network follow: one READY address.
        #expect(await h.until { network.lastPublished?.first?.readyAddresses.count == 1 })
    }

    @Test func aWaitIsWokenByThePublicationThatReachesItsTarget() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        h.runtime.holdStarts()
        try await h.drop("web.yaml", LoopHarness.service())
        let waiter = Task { try await h.queries.wait("web", for: "READY", timeout: .seconds(3600)) }
        #expect(await h.until { h.loop.broadcaster.waiterCount == 1 })
        h.runtime.releaseStarts()
        let (reached, status) = try await waiter.value
        #expect(reached)
        #expect(status == "RUNNING")
    }

    @Test func aWaitEndsAtItsTimeoutOnTheLoopsClock() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        h.runtime.holdStarts()
        try await h.drop("web.yaml", LoopHarness.service())
        let waiter = Task { try await h.queries.wait("web", for: "READY", timeout: .seconds(30)) }
        #expect(await h.until { h.loop.broadcaster.waiterCount == 1 })
        h.clock.advance(by: .seconds(31))
        let (reached, status) = try await waiter.value
        #expect(!reached)
        #expect(status == "PENDING")
        h.runtime.releaseStarts()
    }

    @Test func unknownNamesAreErrorsThatSayWhatExists() async throws {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        #expect(throws: QueryError.self) { try h.queries.describe("missing") }
        #expect(throws: QueryError.self) { try h.queries.containers("no such name!") }
        #expect(h.queries.services(jobs: false).isEmpty)
    }
}
