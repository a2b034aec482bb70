import FloeAPI
import FloeCore
import FloeSpec
import Foundation
import Testing

/// Drives the planner the way floed's reconcile loop does, with values only: plan, apply each
/// action to the world, let a fake executor report what the runtime would (containers started,
/// stopped containers exited), plan again, until nothing changes. A fake clock stands in for time.
///
/// Every step also checks the planner's convergence promise: planning again on the world with the
/// plan applied, before any observation, asks for nothing.
struct Simulation {
    var desired: DesiredState
    var world = World()
    var planner: Planner
    /// The fake clock.
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    /// Every action applied since the last ``clearLog()``, in order.
    private(set) var log: [Action] = []
    /// The last plan's `wakeAt`.
    private(set) var wakeAt: Date?
    /// The executor reports a started container as soon as the planner asks for it.
    var autoStart = true
    /// The executor reports a stopped container's exit (SIGTERM) as soon as the planner asks.
    var autoStop = true
    /// Containers of these images fail to start, as when the runtime cannot find the program.
    var brokenImages: Set<String> = []
    private var nextPid: Int32 = 1000

    init(_ desired: DesiredState, planner: Planner = Planner()) {
        self.desired = desired
        self.planner = planner
    }

    // MARK: Running the loop

    /// One round: plan, apply, check convergence, then the executor's reports. Returns the plan.
    @discardableResult
    mutating func step(sourceLocation: SourceLocation = #_sourceLocation) -> Plan {
        let plan = planner.plan(desired: desired, world: world, now: now)
        for action in plan.actions { world.apply(action, desired: desired, now: now) }
        log += plan.actions
        wakeAt = plan.wakeAt
        let again = planner.plan(desired: desired, world: world, now: now)
        #expect(
            again.actions.isEmpty, "planning again without observations asked for \(again.actions)",
            sourceLocation: sourceLocation)
        checkNodesNotOvercommitted(sourceLocation: sourceLocation)
        execute()
        return plan
    }

    /// No node holds more than its instance family's capacity, counting every instance that
    /// still has (or may get) a running process: not the finished job replicas, not quiet stopped ones.
    func checkNodesNotOvercommitted(sourceLocation: SourceLocation) {
        var used: [NodeRef: ResourceAmounts] = [:]
        for instance in world.instances.values {
            guard let node = instance.node else { continue }
            let finished = instance.isJob && (instance.succeeded || instance.failed)
            if finished || (instance.terminating && instance.isQuiet) { continue }
            var total = used[node] ?? ResourceAmounts(milliCPU: 0, memoryBytes: 0, gpus: 0)
            total.milliCPU = (total.milliCPU ?? 0) + (instance.request.milliCPU ?? 0)
            total.memoryBytes = (total.memoryBytes ?? 0) + (instance.request.memoryBytes ?? 0)
            used[node] = total
        }
        for (node, total) in used {
            guard let family = desired.pools[node.pool]?.instanceFamily else { continue }
            #expect(
                (total.milliCPU ?? 0) <= family.milliCPU && (total.memoryBytes ?? 0) <= family.memoryBytes,
                "node \(node) holds \(total), more than a \(family) node has", sourceLocation: sourceLocation)
            #expect(
                world.nodes[node.pool]?.contains(node.index) == true,
                "an instance runs on \(node), which is not in the pool",
                sourceLocation: sourceLocation)
        }
    }

    /// Steps until a plan asks for nothing and the executor has nothing to report.
    mutating func settle(sourceLocation: SourceLocation = #_sourceLocation) {
        for _ in 0..<100 {
            let before = world
            let plan = step(sourceLocation: sourceLocation)
            if plan.actions.isEmpty && world == before { return }
        }
        Issue.record("the reconcile loop did not settle in 100 rounds", sourceLocation: sourceLocation)
    }

    /// Moves the fake clock on.
    mutating func advance(by seconds: Double) {
        now = now.addingTimeInterval(seconds)
    }

    /// Moves the fake clock to the last plan's `wakeAt` (if it is in the future).
    mutating func advanceToWake(sourceLocation: SourceLocation = #_sourceLocation) {
        guard let wakeAt else {
            Issue.record("the last plan set no wakeAt", sourceLocation: sourceLocation)
            return
        }
        if wakeAt > now { now = wakeAt }
    }

    mutating func clearLog() {
        log = []
    }

    /// What the fake executor reports after the actions were applied.
    private mutating func execute() {
        for key in world.instances.keys.sorted() {
            guard let instance = world.instances[key] else { continue }
            for (index, container) in instance.containers.enumerated() {
                switch container.phase {
                case .starting where autoStart:
                    let image = instance.spec.containers[index].image
                    if brokenImages.contains(image) {
                        world.containerFailedToStart(
                            key, container.name, reason: "Failed to pull image \(image)", at: now,
                            backoff: planner.backoff)
                    } else {
                        started(key, container.name)
                    }
                case .stopping where autoStop:
                    world.containerExited(
                        key, container.name, exit: ContainerExit(exitCode: nil, signal: 15), at: now,
                        backoff: planner.backoff)
                default:
                    break
                }
            }
        }
    }

    // MARK: Observations

    /// The runtime spawned a container.
    mutating func started(_ key: InstanceKey, _ container: String = "main") {
        nextPid += 1
        let handle = ContainerHandle(pid: nextPid, processGroup: nextPid, startTicks: UInt64(nextPid))
        world.containerStarted(key, container, handle: handle, at: now)
    }

    /// A container's process exited with `code`.
    mutating func exited(_ key: InstanceKey, _ container: String = "main", code: Int32) {
        world.containerExited(
            key, container, exit: ContainerExit(exitCode: code, signal: nil), at: now, backoff: planner.backoff)
    }

    /// A readiness probe answered.
    mutating func readiness(_ key: InstanceKey, _ container: String = "main", success: Bool, threshold: Int = 3) {
        world.probeAnswered(key, container, liveness: false, success: success, threshold: threshold)
    }

    /// A liveness probe answered.
    mutating func liveness(_ key: InstanceKey, _ container: String = "main", success: Bool, threshold: Int = 3) {
        world.probeAnswered(key, container, liveness: true, success: success, threshold: threshold)
    }

    /// Every stopping container of every instance exits (the runtime finished stopping them).
    mutating func finishStops() {
        for key in world.instances.keys.sorted() {
            for container in world.instances[key]?.containers ?? [] where container.phase == .stopping {
                world.containerExited(
                    key, container.name, exit: ContainerExit(exitCode: nil, signal: 15), at: now,
                    backoff: planner.backoff)
            }
        }
    }

    // MARK: Looking at the world

    func key(_ object: String, _ id: Int) -> InstanceKey {
        InstanceKey(Fixtures.name(object), id)
    }

    func instance(_ object: String, _ id: Int) -> InstanceState? {
        world.instances[key(object, id)]
    }

    func container(_ object: String, _ id: Int, _ name: String = "main") -> ContainerState? {
        instance(object, id)?.containers.first { $0.name == name }
    }

    /// Ids of the instances of an object that are not terminating.
    func liveIds(_ object: String) -> [Int] {
        world.instances(of: Fixtures.name(object)).filter { !$0.terminating }.map(\.key.id)
    }

    /// Ids of the instances of an object, terminating ones included.
    func ids(_ object: String) -> [Int] {
        world.instances(of: Fixtures.name(object)).map(\.key.id)
    }

    /// The `SYSTEM$GET_SERVICE_STATUS` rows of an object.
    func rows(_ object: String) -> [ContainerStatus] {
        StatusReport.rows(name: Fixtures.name(object), instances: world.instances(of: Fixtures.name(object)))
    }

    /// The status and message of one container.
    func status(_ object: String, _ id: Int, _ name: String = "main") -> (status: String, message: String)? {
        guard let instance = instance(object, id), let c = container(object, id, name) else { return nil }
        return StatusReport.container(c, of: instance)
    }

    /// A service's or job's roll-up status.
    func objectStatus(_ object: String) -> String {
        let name = Fixtures.name(object)
        let service = desired.services[name]
        return StatusReport.service(
            name: name, minReady: service?.header.minReadyInstances,
            isJob: desired.jobs[name] != nil || world.jobRuns[name] != nil,
            instances: world.instances(of: name), run: world.jobRuns[name],
            removed: service == nil && desired.jobs[name] == nil, suspended: world.isSuspended(service: name))
    }

    /// The node indexes of a pool.
    func nodes(_ pool: String = "POOL") -> [Int] {
        world.nodes[Fixtures.name(pool)] ?? []
    }

    /// The stop actions in the log, in order, as "OBJECT/id".
    var stops: [String] {
        log.compactMap {
            if case .stopInstance(let key, _) = $0 { return key.description }
            return nil
        }
    }

    /// The start actions in the log, in order, as "OBJECT/id".
    var starts: [String] {
        log.compactMap {
            if case .startContainer(let key, _) = $0 { return key.description }
            return nil
        }
    }
}
