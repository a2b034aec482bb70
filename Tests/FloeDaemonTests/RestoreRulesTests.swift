import FloeCore
import FloeRuntime
import FloeSpec
import Foundation
import Testing

@testable import FloeDaemon

/// What floed does at start with the records a previous floed saved and the runs the runtime holds.
@Suite("Restore rules")
struct RestoreRulesTests {
    static let web = ObjectName("web")!
    static let t0 = Date(timeIntervalSince1970: 1_000)

    /// A world with one instance of `web` whose container `main` is as `change` leaves it.
    static func world(probe: Bool = true, job: Bool = false, _ change: (inout ContainerState) -> Void) -> World {
        let container = ContainerSpec(
            name: "main", image: "/floe/test/web:latest",
            readinessProbe: probe ? Probe(port: 8000, path: "/", periodSeconds: 1, failureThreshold: 3) : nil)
        let spec = ServiceSpec(containers: [container])
        var world = World()
        var instance = InstanceState(
            key: InstanceKey(web, 0), digest: "v1", spec: spec, isJob: job, node: nil,
            request: ResourceAmounts(), createdAt: t0)
        change(&instance.containers[0])
        world.instances[instance.key] = instance
        return world
    }

    static func handle(_ pid: Int32, run: String?) -> ContainerHandle {
        ContainerHandle(pid: pid, processGroup: pid, startTicks: 7, run: run, monitorPID: run == nil ? nil : pid + 1)
    }

    static func left(
        _ run: String, pid: Int32, object: ObjectName = web, at seconds: Double, alive: Bool,
        exit: ContainerExit? = nil
    ) -> LeftRun {
        LeftRun(
            run: ContainerRun(
                id: run, object: object, instanceID: 0, container: "main",
                requestedAt: Date(timeIntervalSince1970: seconds), monitorPID: pid + 1, containerPID: pid, exit: exit),
            handle: alive ? handle(pid, run: run) : nil)
    }

    static let ref = ContainerRef(InstanceKey(web, 0), "main")

    @Test func aRecordedRunIsAdoptedWithItsCountsAndIsNotReadyUntilItsProbeAnswers() {
        let saved = Self.world { c in
            c.phase = .running
            c.handle = Self.handle(42, run: "r1")
            c.ready = true
            c.restartCount = 2
            c.startedAt = Self.t0
        }
        let rules = RestoreRules(
            saved: saved, runs: [Self.left("r1", pid: 42, at: 1_000, alive: true)], adopting: true,
            isAlive: { _ in true })
        #expect(rules.adopt == [Self.ref: Self.handle(42, run: "r1")])
        #expect(rules.stale.isEmpty && rules.discard.isEmpty)
        let c = rules.world.container(Self.ref.key, "main")
        #expect(c?.phase == .running && c?.ready == false && c?.restartCount == 2 && c?.startedAt == Self.t0)
        #expect(c?.handle?.pid == 42)
    }

    @Test func withoutAReadinessProbeAnAdoptedContainerIsReadyAtOnce() {
        let saved = Self.world(probe: false) { c in
            c.phase = .running
            c.handle = Self.handle(42, run: "r1")
        }
        let rules = RestoreRules(saved: saved, runs: [], adopting: true, isAlive: { _ in true })
        #expect(rules.world.container(Self.ref.key, "main")?.ready == true)
    }

    @Test func aRunStartedAfterTheLastSaveIsAdoptedAndCountedAsAStart() {
        // The records say the container had exited at t0 + 5 and waited for its restart; the runtime has
        // the restart (t0 + 6), which floed started and died before saving.
        let saved = Self.world { c in
            c.phase = .waiting
            c.startedAt = Self.t0
            c.lastExit = ContainerExit(exitCode: 1, signal: nil)
            c.lastExitAt = Self.t0.addingTimeInterval(5)
        }
        let runs = [
            Self.left("old", pid: 41, at: 1_000, alive: false, exit: ContainerExit(exitCode: 1, signal: nil)),
            Self.left("new", pid: 42, at: 1_006, alive: true),
        ]
        let rules = RestoreRules(saved: saved, runs: runs, adopting: true, isAlive: { _ in true })
        #expect(rules.adopt[Self.ref]?.run == "new")
        #expect(rules.discard == ["old"])
        #expect(rules.stale.isEmpty)
        let c = rules.world.container(Self.ref.key, "main")
        #expect(c?.phase == .running && c?.restartCount == 1 && c?.startedAt == Date(timeIntervalSince1970: 1_006))
    }

    @Test func aRunOlderThanTheRecordedEndIsNotAdoptedAgain() {
        let saved = Self.world { c in
            c.phase = .waiting
            c.lastExit = ContainerExit(exitCode: 0, signal: nil)
            c.lastExitAt = Self.t0.addingTimeInterval(5)
        }
        let runs = [Self.left("r1", pid: 41, at: 1_000, alive: false, exit: ContainerExit(exitCode: 0, signal: nil))]
        let rules = RestoreRules(saved: saved, runs: runs, adopting: true, isAlive: { _ in false })
        #expect(rules.adopt.isEmpty)
        #expect(rules.discard == ["r1"])
    }

    @Test func aLiveRunOfAnInstanceTheRecordsDoNotHaveIsStoppedWithAReason() {
        let saved = Self.world { c in
            c.phase = .running
            c.handle = Self.handle(42, run: "r1")
        }
        let stranger = Self.left("r9", pid: 99, object: ObjectName("other")!, at: 1_000, alive: true)
        let older = Self.left("r0", pid: 41, at: 999, alive: true)
        let rules = RestoreRules(
            saved: saved, runs: [older, Self.left("r1", pid: 42, at: 1_000, alive: true), stranger],
            adopting: true, isAlive: { _ in true })
        #expect(rules.adopt == [Self.ref: Self.handle(42, run: "r1")])
        let reasons = rules.stale.sorted { $0.handle.pid < $1.handle.pid }.map(\.reason)
        #expect(reasons.count == 2)
        #expect(reasons[0].contains("process 41") && reasons[0].contains("not the container's run"))
        #expect(reasons[1].contains("process 99") && reasons[1].contains("not in floed's records"))
    }

    @Test func aNewerRunOfARecordedContainerWinsAndTheRecordedOneIsStopped() {
        // floed replaced run r1 by r2 (a restart) and died before it saved that.
        let saved = Self.world(probe: false) { c in
            c.phase = .running
            c.handle = Self.handle(42, run: "r1")
            c.startedAt = Self.t0
        }
        let runs = [Self.left("r1", pid: 42, at: 1_000, alive: true), Self.left("r2", pid: 43, at: 1_001, alive: true)]
        let rules = RestoreRules(saved: saved, runs: runs, adopting: true, isAlive: { _ in true })
        #expect(rules.adopt == [Self.ref: Self.handle(43, run: "r2")])
        #expect(rules.stale.map(\.handle.pid) == [42])
        #expect(rules.stale.first?.reason.contains("a newer run replaced it") == true)
        #expect(rules.world.container(Self.ref.key, "main")?.restartCount == 1)
    }

    @Test func aServiceInstanceTheRecordsMissIsRebuiltFromItsRunningRun() throws {
        var world = Self.world { c in c.phase = .starting }
        let instance = try #require(world.instances.values.first)
        world.instances = [:]
        var left = Self.left("r1", pid: 42, at: 1_000, alive: true)
        left.run.instance = instance
        let rules = RestoreRules(saved: world, runs: [left], adopting: true, isAlive: { _ in true })
        #expect(rules.rebuilt == [Self.ref.key])
        #expect(rules.adopt == [Self.ref: Self.handle(42, run: "r1")])
        #expect(rules.world.instances[Self.ref.key]?.digest == "v1")
        // An ended run rebuilds nothing: the stage starts the instance afresh.
        left.handle = nil
        left.run.exit = ContainerExit(exitCode: 0, signal: nil)
        let ended = RestoreRules(saved: world, runs: [left], adopting: true, isAlive: { _ in false })
        #expect(ended.rebuilt.isEmpty && ended.adopt.isEmpty && ended.discard == ["r1"])
    }

    @Test func aContainerWithoutARunIsStoppedAndStartsAgainAsBefore() {
        let saved = Self.world { c in
            c.phase = .running
            c.handle = Self.handle(42, run: nil)
        }
        let rules = RestoreRules(saved: saved, runs: [], adopting: true, isAlive: { _ in true })
        #expect(rules.adopt.isEmpty)
        #expect(rules.stale.map(\.handle.pid) == [42])
        #expect(rules.world.container(Self.ref.key, "main")?.phase == .waiting)
        #expect(rules.world.container(Self.ref.key, "main")?.handle == nil)
    }

    @Test func withoutAdoptionEveryLiveRunIsStoppedAndEndedOnesAreDiscarded() {
        let saved = Self.world(job: true) { c in
            c.phase = .running
            c.handle = Self.handle(42, run: "r1")
        }
        let alive = RestoreRules(saved: saved, runs: [], adopting: false, isAlive: { _ in true })
        #expect(alive.adopt.isEmpty && alive.stale.map(\.handle.pid) == [42])
        // A job replica that ran is not run again: it ends as stopped (SIGTERM).
        let c = alive.world.container(Self.ref.key, "main")
        #expect(c?.phase == .exited && c?.lastExit == ContainerExit(exitCode: nil, signal: 15))
        let gone = RestoreRules(saved: saved, runs: [], adopting: false, isAlive: { _ in false })
        #expect(gone.stale.isEmpty && gone.discard == ["r1"])
    }

    @Test func aNewerRunOfAnotherVersionBringsItsVersionIntoTheRecords() throws {
        // floed upgraded the instance (run r2 is the new version) and died before saving that.
        let saved = Self.world { c in
            c.phase = .running
            c.handle = Self.handle(42, run: "r1")
        }
        var upgraded = try #require(saved.instances.values.first)
        upgraded.digest = "v2"
        var newer = Self.left("r2", pid: 43, at: 1_001, alive: true)
        newer.run.instance = upgraded
        let rules = RestoreRules(
            saved: saved, runs: [Self.left("r1", pid: 42, at: 1_000, alive: false), newer], adopting: true,
            isAlive: { _ in true })
        #expect(rules.adopt == [Self.ref: Self.handle(43, run: "r2")])
        #expect(rules.world.instances[Self.ref.key]?.digest == "v2")
    }
}
