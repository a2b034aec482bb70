import FloeCore
import FloeSpec
import Foundation
import Testing

@Suite("Pools: auto-suspend, auto-resume, initially suspended, states")
struct PoolSuspensionTests {
    static let pool = Fixtures.name("POOL")

    /// A stage with one pool (XS, 1..2 nodes) and the given work.
    static func desired(
        services: [DesiredService] = [], jobs: [DesiredJob] = [], minNodes: Int = 1, autoResume: Bool = true,
        autoSuspendSecs: Int = 600, initiallySuspended: Bool = false
    ) -> DesiredState {
        Fixtures.desired(
            services: services, jobs: jobs,
            pools: [
                "POOL": Fixtures.pool(
                    minNodes: minNodes, maxNodes: max(minNodes, 2), autoResume: autoResume,
                    autoSuspendSecs: autoSuspendSecs, initiallySuspended: initiallySuspended)
            ])
    }

    static func state(_ sim: Simulation, _ pool: String = "POOL") -> PoolState {
        let name = Fixtures.name(pool)
        guard let spec = sim.desired.pools[name] else { return .stopping }
        return StatusReport.pool(name, spec: spec, world: sim.world).state
    }

    /// A job that runs on the pool and ends (exit 0); afterwards the pool has no work.
    static func runJobToCompletion(_ sim: inout Simulation) {
        sim.settle()
        #expect(state(sim) == .active)
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.settle()
        #expect(sim.objectStatus("BATCH") == "DONE")
    }

    // MARK: Auto-suspend

    @Test func idlePoolSuspendsAfterAutoSuspendSecsAndNotBefore() throws {
        var sim = Simulation(Self.desired(jobs: [Fixtures.job("BATCH")], autoSuspendSecs: 600))
        Self.runJobToCompletion(&sim)
        let idleFrom = sim.now
        #expect(sim.world.pools[Self.pool]?.idleSince == idleFrom)
        #expect(sim.wakeAt == idleFrom.addingTimeInterval(600))
        #expect(Self.state(sim) == .idle)

        // One second early: nothing happens, and the wake time stays.
        sim.advance(by: 599)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.nodes() == [0])
        #expect(sim.wakeAt == idleFrom.addingTimeInterval(600))

        sim.advanceToWake()
        sim.clearLog()
        sim.settle()
        #expect(sim.log == [.suspendPool(Self.pool, .idle), .removeNode(NodeRef(pool: Self.pool, index: 0))])
        #expect(sim.nodes().isEmpty)
        let activity = try #require(sim.world.pools[Self.pool])
        #expect(activity.suspended && activity.suspension == .idle)
        #expect(activity.suspendedAt == idleFrom.addingTimeInterval(600))
        #expect(activity.idleSince == nil)
        #expect(Self.state(sim) == .suspended)
        #expect(sim.wakeAt == nil)
        // The finished job stays queryable on a suspended pool.
        #expect(sim.objectStatus("BATCH") == "DONE")

        // Suspended stays suspended without work.
        sim.advance(by: 86_400)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
    }

    @Test func workAgainResetsTheIdleClock() {
        var sim = Simulation(Self.desired(autoSuspendSecs: 600))
        sim.settle()
        #expect(sim.world.pools[Self.pool]?.idleSince == sim.now)
        sim.advance(by: 500)
        sim.desired.services[Fixtures.name("WEB")] = Fixtures.service("WEB")
        sim.settle()
        #expect(sim.world.pools[Self.pool]?.idleSince == nil)
        #expect(sim.wakeAt == nil)
        #expect(Self.state(sim) == .active)

        // The service goes: the clock starts again from its removal.
        sim.advance(by: 500)
        sim.desired.services = [:]
        sim.settle()
        let idleFrom = sim.now
        #expect(sim.ids("WEB").isEmpty)
        #expect(sim.wakeAt == idleFrom.addingTimeInterval(600))
        sim.advance(by: 599)
        sim.settle()
        #expect(sim.nodes() == [0])
        sim.advance(by: 1)
        sim.settle()
        #expect(sim.nodes().isEmpty)
    }

    @Test func autoSuspendSecsZeroNeverSuspends() {
        var sim = Simulation(Self.desired(jobs: [Fixtures.job("BATCH")], autoSuspendSecs: 0))
        Self.runJobToCompletion(&sim)
        #expect(sim.wakeAt == nil)
        #expect(sim.world.pools[Self.pool] == nil)
        sim.advance(by: 10 * 86_400)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.nodes() == [0])
        #expect(Self.state(sim) == .idle)
    }

    @Test func aServiceKeepsItsPoolAwakeEvenWhileItCannotBePlaced() {
        // Too big for an XS node: PENDING, but the pool has work and does not suspend under it.
        let big = Fixtures.service("BIG", containers: [Fixtures.container(milliCPU: 64_000)])
        var sim = Simulation(Self.desired(services: [big], autoSuspendSecs: 60))
        sim.settle()
        #expect(sim.status("BIG", 0)?.message == "Unschedulable due to insufficient resources")
        sim.advance(by: 3600)
        sim.settle()
        #expect(sim.nodes() == [0])
        #expect(sim.world.pools[Self.pool]?.suspended != true)
    }

    @Test func nothingSuspendsBeforeTheFirstFullScan() {
        var sim = Simulation(Self.desired(autoSuspendSecs: 60))
        sim.settle()
        sim.advance(by: 3600)
        sim.desired.complete = false
        sim.settle()
        #expect(sim.nodes() == [0])
        sim.desired.complete = true
        sim.settle()
        #expect(sim.nodes().isEmpty)
    }

    // MARK: Auto-resume

    @Test func workOnASuspendedPoolWithAutoResumeResumesIt() {
        var sim = Simulation(Self.desired(jobs: [Fixtures.job("BATCH")], minNodes: 2, autoSuspendSecs: 60))
        Self.runJobToCompletion(&sim)
        sim.advance(by: 60)
        sim.settle()
        #expect(sim.nodes().isEmpty)
        #expect(Self.state(sim) == .suspended)

        let later = sim.now.addingTimeInterval(10)
        sim.now = later
        sim.desired.services[Fixtures.name("WEB")] = Fixtures.service("WEB", instances: 2)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.contains(.resumePool(Self.pool, .work)))
        // MIN_NODES come back, and the instances are placed on them and run.
        #expect(sim.nodes() == [0, 1])
        #expect(sim.instance("WEB", 0)?.node == NodeRef(pool: Self.pool, index: 0))
        #expect(sim.instance("WEB", 1)?.node != nil)
        #expect(sim.objectStatus("WEB") == "RUNNING")
        #expect(sim.world.pools[Self.pool]?.resumedAt == later)
        #expect(sim.world.pools[Self.pool]?.suspended == false)
        #expect(Self.state(sim) == .active)
    }

    @Test func aJobResumesASuspendedPoolAndItSuspendsAgainAfterwards() {
        var sim = Simulation(Self.desired(autoSuspendSecs: 60, initiallySuspended: true))
        sim.settle()
        #expect(sim.nodes().isEmpty)
        sim.desired.jobs[Fixtures.name("BATCH")] = Fixtures.job("BATCH", replicas: 2)
        sim.settle()
        #expect(sim.nodes() == [0])
        #expect(sim.objectStatus("BATCH") == "RUNNING")
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.exited(sim.key("BATCH", 1), code: 0)
        sim.settle()
        #expect(sim.objectStatus("BATCH") == "DONE")
        sim.advanceToWake()
        sim.settle()
        #expect(sim.nodes().isEmpty)
        #expect(sim.world.pools[Self.pool]?.suspension == .idle)
    }

    @Test func withoutAutoResumeWorkIsPendingWithAMessage() throws {
        var sim = Simulation(
            Self.desired(services: [Fixtures.service("WEB")], autoResume: false, initiallySuspended: true))
        sim.settle()
        #expect(sim.nodes().isEmpty)
        #expect(sim.instance("WEB", 0)?.node == nil)
        let status = try #require(sim.status("WEB", 0))
        #expect(status.status == "PENDING")
        #expect(
            status.message
                == "Compute pool POOL is suspended (initiallySuspended) and autoResume is false; "
                + "set autoResume: true or remove initiallySuspended in pool.yaml to resume it")
        #expect(sim.objectStatus("WEB") == "PENDING")
        #expect(Self.state(sim) == .suspended)
        // Nothing changes with time.
        sim.advance(by: 86_400)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)

        // Following the message (autoResume: true) resumes the pool and places the instance.
        sim.desired.pools[Self.pool]?.autoResume = true
        sim.settle()
        #expect(sim.nodes() == [0])
        #expect(sim.objectStatus("WEB") == "RUNNING")
    }

    @Test func removingInitiallySuspendedResumesThePool() {
        var sim = Simulation(
            Self.desired(services: [Fixtures.service("WEB")], autoResume: false, initiallySuspended: true))
        sim.settle()
        #expect(sim.objectStatus("WEB") == "PENDING")
        sim.desired.pools[Self.pool]?.initiallySuspended = false
        sim.clearLog()
        sim.settle()
        #expect(sim.log.contains(.resumePool(Self.pool, .fileChanged)))
        #expect(sim.nodes() == [0])
        #expect(sim.objectStatus("WEB") == "RUNNING")
    }

    @Test func anIdleSuspendedPoolWithoutAutoResumeSaysToSetIt() throws {
        var sim = Simulation(Self.desired(jobs: [Fixtures.job("BATCH")], autoResume: false, autoSuspendSecs: 60))
        Self.runJobToCompletion(&sim)
        sim.advance(by: 60)
        sim.settle()
        #expect(sim.nodes().isEmpty)
        sim.desired.services[Fixtures.name("WEB")] = Fixtures.service("WEB")
        sim.settle()
        let status = try #require(sim.status("WEB", 0))
        #expect(status.status == "PENDING")
        #expect(
            status.message
                == "Compute pool POOL is suspended (idle for 60 s) and autoResume is false; "
                + "set autoResume: true in pool.yaml to resume it")
        #expect(sim.nodes().isEmpty)
    }

    // MARK: Initially suspended

    @Test func initiallySuspendedPoolStartsWithNoNodes() {
        var sim = Simulation(Self.desired(minNodes: 2, initiallySuspended: true))
        #expect(Self.state(sim) == .suspended)  // before the first plan too
        sim.settle()
        #expect(sim.log == [.suspendPool(Self.pool, .initially)])
        #expect(sim.nodes().isEmpty)
        #expect(Self.state(sim) == .suspended)
        #expect(sim.wakeAt == nil)
    }

    @Test func initiallySuspendedOnlyAppliesWhenThePoolIsCreated() {
        // A pool already running (a world saved before pools were tracked): it keeps its nodes.
        var sim = Simulation(Self.desired(services: [Fixtures.service("WEB")]))
        sim.settle()
        sim.world.pools = [:]
        sim.desired.pools[Self.pool]?.initiallySuspended = true
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.nodes() == [0])
        #expect(sim.objectStatus("WEB") == "RUNNING")
    }

    @Test func aRemovedPoolIsForgotten() {
        var sim = Simulation(Self.desired(autoSuspendSecs: 600))
        sim.settle()
        #expect(sim.world.pools[Self.pool] != nil)
        sim.desired.pools = [:]
        sim.settle()
        #expect(sim.nodes().isEmpty)
        #expect(sim.world.pools.isEmpty)
    }

    // MARK: States

    @Test func stateWords() {
        let words = PoolState.allCases.map(\.rawValue)
        #expect(words == ["STARTING", "ACTIVE", "IDLE", "SUSPENDED", "RESIZING", "STOPPING"])
        let spec = Fixtures.pool(minNodes: 2, maxNodes: 4, autoSuspendSecs: 600)
        let node0 = NodeRef(pool: Self.pool, index: 0)
        var world = World()

        // No node yet, not suspended: STARTING.
        #expect(StatusReport.pool(Self.pool, spec: spec, world: world).state == .starting)
        world.nodes[Self.pool] = [0]
        #expect(StatusReport.pool(Self.pool, spec: spec, world: world).state == .starting)

        // MIN_NODES up, nothing placed: IDLE.
        world.nodes[Self.pool] = [0, 1]
        var status = StatusReport.pool(Self.pool, spec: spec, world: world)
        #expect(status.state == .idle && status.activeNodes == 0 && status.idleNodes == 2)

        // An instance placed: ACTIVE.
        let service = Fixtures.service("WEB")
        var instance = InstanceState(
            key: InstanceKey(service.name, 0), digest: "v1", spec: service.spec, isJob: false, node: node0,
            request: service.spec.instanceRequest, createdAt: Date(timeIntervalSince1970: 0))
        world.instances[instance.key] = instance
        status = StatusReport.pool(Self.pool, spec: spec, world: world)
        #expect(status.state == .active)
        #expect(status.numServices == 1 && status.numJobs == 0 && status.activeNodes == 1 && status.idleNodes == 1)

        // An idle node above MIN_NODES: RESIZING.
        world.nodes[Self.pool] = [0, 1, 2]
        #expect(StatusReport.pool(Self.pool, spec: spec, world: world).state == .resizing)
        // More nodes than MAX_NODES (MAX_NODES lowered), all busy: RESIZING too.
        let small = Fixtures.pool(minNodes: 1, maxNodes: 1)
        world.nodes[Self.pool] = [0]
        #expect(StatusReport.pool(Self.pool, spec: small, world: world).state == .active)
        world.nodes[Self.pool] = [0, 1]
        instance.key = InstanceKey(service.name, 1)
        instance.node = NodeRef(pool: Self.pool, index: 1)
        world.instances[instance.key] = instance
        #expect(StatusReport.pool(Self.pool, spec: small, world: world).state == .resizing)

        // Suspended with nodes still there: STOPPING; without nodes: SUSPENDED.
        world.instances = [:]
        world.pools[Self.pool] = PoolActivity(suspension: .idle)
        #expect(StatusReport.pool(Self.pool, spec: spec, world: world).state == .stopping)
        world.nodes[Self.pool] = nil
        #expect(StatusReport.pool(Self.pool, spec: spec, world: world).state == .suspended)

        // A finished job replica is not work: IDLE.
        world = World()
        world.nodes[Self.pool] = [0, 1]
        let job = Fixtures.job("BATCH")
        var replica = InstanceState(
            key: InstanceKey(job.name, 0), digest: "j1", spec: job.spec, isJob: true, node: node0,
            request: job.spec.instanceRequest, createdAt: Date(timeIntervalSince1970: 0))
        world.instances[replica.key] = replica
        status = StatusReport.pool(Self.pool, spec: spec, world: world)
        #expect(status.state == .active && status.numJobs == 1)
        replica.containers[0].phase = .exited
        replica.containers[0].lastExit = ContainerExit(exitCode: 0, signal: nil)
        world.instances[replica.key] = replica
        #expect(StatusReport.pool(Self.pool, spec: spec, world: world).state == .idle)
    }

    // MARK: The world file and the harness's checks

    @Test func aWorldSavedBeforePoolsWereTrackedStillDecodes() throws {
        var sim = Simulation(Self.desired(services: [Fixtures.service("WEB")]))
        sim.settle()
        var saved = sim.world
        saved.pools[Self.pool] = PoolActivity(idleSince: sim.now)
        let data = try JSONEncoder().encode(saved)
        #expect(try JSONDecoder().decode(World.self, from: data) == saved)

        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["pools"] != nil)
        object["pools"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        let decoded = try JSONDecoder().decode(World.self, from: old)
        #expect(decoded.pools.isEmpty)
        #expect(decoded.instances == saved.instances && decoded.nodes == saved.nodes)
    }

    /// Two pools, one suspending while the other is busy, work moving between them: every step
    /// converges and no node is overcommitted (the harness checks both on each step).
    @Test func suspensionKeepsTheHarnessChecks() {
        var desired = Fixtures.desired(
            services: [Fixtures.service("WEB", instances: 3, pool: "BUSY")],
            jobs: [Fixtures.job("BATCH", replicas: 4, containers: [Fixtures.container(milliCPU: 500)])],
            pools: [
                "POOL": Fixtures.pool(minNodes: 1, maxNodes: 3, autoSuspendSecs: 120),
                "BUSY": Fixtures.pool(minNodes: 1, maxNodes: 2, autoSuspendSecs: 120),
            ])
        desired.pools[Fixtures.name("POOL")]?.initiallySuspended = true
        var sim = Simulation(desired)
        let start = sim.now
        ConvergenceTests.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.settle()
        #expect(sim.world.pools[Self.pool]?.resumedAt == start)
        #expect(sim.objectStatus("BATCH") == "RUNNING")
        for id in 0..<4 {
            sim.exited(sim.key("BATCH", id), code: 0)
            ConvergenceTests.expectConverges(sim.desired, sim.world, at: sim.now)
            sim.settle()
        }
        #expect(sim.objectStatus("BATCH") == "DONE")
        sim.advanceToWake()
        ConvergenceTests.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.settle()
        #expect(sim.nodes("POOL").isEmpty)
        #expect(!sim.nodes("BUSY").isEmpty)
        #expect(sim.objectStatus("WEB") == "RUNNING")
        #expect(Self.state(sim, "BUSY") == .active)

        // The job runs again (a new file): the pool resumes.
        sim.desired.jobs[Fixtures.name("BATCH")]?.digest = "j2"
        ConvergenceTests.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.settle()
        #expect(!sim.nodes("POOL").isEmpty)
        #expect(sim.objectStatus("BATCH") == "RUNNING")
    }
}
