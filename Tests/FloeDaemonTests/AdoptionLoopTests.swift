import FloeAPI
import FloeCore
import FloeRuntime
import FloeSpec
import FloeTesting
import Foundation
import Testing

@testable import FloeDaemon

/// A floed restart with fakes: a second loop on the runtime and the records the first one left.
@Suite("Adoption across a floed restart, with fakes")
struct AdoptionLoopTests {
    static let web = ObjectName("web")!

    /// A first loop that runs `web` READY, stopped as `crash` says: gracefully (records saved at the
    /// stop) or as by SIGKILL (the records are what was saved last before).
    func runningWeb(probe: Bool = true) async throws -> LoopHarness {
        let h = try await LoopHarness()
        try await h.drop("web.yaml", LoopHarness.service(probe: probe))
        #expect(await h.until { h.statuses("web") == ["READY"] })
        return h
    }

    @Test func aRunningContainerIsAdoptedNotStartedAgain() async throws {
        let first = try await runningWeb()
        let pid = try #require(first.runtime.running.first?.handle.pid)
        await first.stopLoop()
        // Its readiness probe has not answered yet: not READY until it does.
        let prober = ScriptedProber()
        prober.script(8000, [nil])
        let second = try await LoopHarness(takingOver: first, prober: prober)
        defer { Task { await second.tearDown() } }
        #expect(await second.until { second.events("web", "adopted").count == 1 })
        #expect(second.statuses("web") != ["READY"])
        prober.script(8000, [.success])
        prober.answerHeld(.success)
        #expect(await second.until { second.statuses("web") == ["READY"] })
        #expect(second.runtime.startCount == 1)
        #expect(second.runtime.running.map(\.handle.pid) == [pid])
        let row = try #require(try second.queries.containers("web").first)
        #expect(row.restartCount == 0)
        // Its exit now reaches the second loop, which restarts it.
        #expect(second.runtime.exit(Self.web, 0, "main", with: ContainerExit(exitCode: 1, signal: nil)))
        second.clock.advance(by: .seconds(60))
        #expect(await second.until { second.runtime.startCount == 2 && second.statuses("web") == ["READY"] })
    }

    @Test func aContainerThatEndedWhileFloedWasDownGetsItsRealStatusAndIsRestarted() async throws {
        let first = try await runningWeb()
        let pid = try #require(first.runtime.running.first?.handle.pid)
        await first.stopLoop()
        first.runtime.endUnwatched(pid: pid, with: ContainerExit(exitCode: nil, signal: 9))
        let second = try await LoopHarness(takingOver: first)
        defer { Task { await second.tearDown() } }
        #expect(await second.until { second.events("web", "exited").count == 1 })
        #expect(
            second.events("web", "exited").first?.message.contains("killed by signal 9 while floed was down") == true)
        second.clock.advance(by: .seconds(60))
        #expect(await second.until { second.runtime.startCount == 2 && second.statuses("web") == ["READY"] })
        let row = try #require(try second.queries.containers("web").first)
        #expect(row.restartCount == 1 && row.lastExitCode == 137)
    }

    @Test func anEndWithoutAStatusIsLostNotGuessed() async throws {
        let first = try await runningWeb()
        let pid = try #require(first.runtime.running.first?.handle.pid)
        await first.stopLoop()
        first.runtime.loseExit(ofPID: pid)
        let second = try await LoopHarness(takingOver: first)
        defer { Task { await second.tearDown() } }
        #expect(await second.until { second.events("web", "lost").count == 1 })
        #expect(second.events("web", "lost").first?.message.contains("left no exit status") == true)
        second.clock.advance(by: .seconds(60))
        #expect(await second.until { second.runtime.startCount == 2 && second.statuses("web") == ["READY"] })
    }

    @Test func aReusedPIDIsNeverAdopted() async throws {
        let first = try await runningWeb()
        let pid = try #require(first.runtime.running.first?.handle.pid)
        await first.stopLoop()
        first.runtime.reusePID(pid)
        let second = try await LoopHarness(takingOver: first)
        defer { Task { await second.tearDown() } }
        #expect(await second.until { second.events("web", "lost").count == 1 })
        #expect(second.events("web", "lost").first?.message.contains("now belongs to another process") == true)
        second.clock.advance(by: .seconds(60))
        #expect(await second.until { second.runtime.startCount == 2 && second.statuses("web") == ["READY"] })
    }

    @Test func aStartTheRecordsMissedIsAdoptedAndAnUnknownRunIsStopped() async throws {
        let first = try await runningWeb()
        await first.stopLoop()
        // The records as saved before the start: the instance placed, its container not started.
        var before = try #require(first.store.saved)
        let key = InstanceKey(Self.web, 0)
        before.updateContainer(key, "main") { c in
            c.phase = .starting
            c.handle = nil
            c.startedAt = nil
        }
        // A run of an instance the records do not have at all.
        let stranger = try await first.runtime.start(
            ContainerLaunch(
                service: ObjectName("gone")!, instanceID: 0, containerName: "main", argv: ["x"], environment: [:],
                workingDirectory: "/", logFile: "/dev/null")
        ) { _ in }
        let second = try await LoopHarness(takingOver: first, world: before)
        defer { Task { await second.tearDown() } }
        #expect(await second.until { second.statuses("web") == ["READY"] })
        #expect(second.runtime.startCount == 2)  // the first start and the stranger's
        #expect(await second.until { second.runtime.running.map(\.handle.pid) != [] })
        #expect(!second.runtime.isAlive(stranger))
        #expect(second.runtime.running.count == 1)
        #expect(try second.queries.containers("web").first?.restartCount == 0)
    }
}

extension AdoptionLoopTests {
    @Test func aRunningInstanceTheRecordsMissIsRebuiltFromItsRunAndAdopted() async throws {
        let first = try await runningWeb(probe: false)
        let pid = try #require(first.runtime.running.first?.handle.pid)
        await first.stopLoop()
        // floed was killed before it ever saved the instance.
        var before = try #require(first.store.saved)
        before.instances = [:]
        let second = try await LoopHarness(takingOver: first, world: before)
        defer { Task { await second.tearDown() } }
        #expect(await second.until { second.events("web", "adopted").count == 1 })
        #expect(second.events("web", "rebuilt").count == 1)
        #expect(await second.until { second.statuses("web") == ["READY"] })
        #expect(second.runtime.running.map(\.handle.pid) == [pid])
        #expect(second.runtime.startCount == 1)
    }
}
