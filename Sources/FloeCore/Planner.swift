import FloeSpec
import Foundation

/// The reconciler's planning: a pure function from what the stage asks for and what floe has
/// observed to the actions that bring the two together. No processes, no clocks, no I/O: tests
/// drive it with values.
public struct Planner: Sendable {
    public var backoff: Backoff
    /// How long a finished job whose file was removed stays queryable.
    public var jobRetention: Duration
    /// True when instances share the host's network, so two cannot listen on one port (the second
    /// waits, PENDING, naming the holder). False when each instance has its own network namespace.
    public var instancesShareHostNetwork = true

    public init(backoff: Backoff = Backoff(), jobRetention: Duration = .seconds(30 * 24 * 3600)) {
        self.backoff = backoff
        self.jobRetention = jobRetention
    }

    /// Plans the next actions. Applying them (``World/apply(_:desired:now:)``) and planning again
    /// converges: a plan on an unchanged world after its own actions are applied asks for nothing new.
    public func plan(desired: DesiredState, world: World, now: Date) -> Plan {
        var pass = PlanningPass(desired: desired, world: world, now: now, planner: self)
        pass.run()
        return Plan(actions: pass.actions, wakeAt: pass.wakeAt)
    }

    /// Plans only the instances, jobs and services named in `objects`, at a cost that does not grow
    /// with the rest of the world; nil when that is not enough and the caller must plan in full.
    ///
    /// The promise: when the world was left by a full plan with nothing to do, and since then only
    /// the instances of `objects` changed, and only in what a started process or a probe answer
    /// changes, the result is the full plan's (apart from `wakeAt`, which covers `objects` only: the
    /// full plan's earlier wake-up still stands). That holds because such changes do not touch what
    /// other objects are planned from (room on nodes, ports, pools). An object's plan that would
    /// touch them (placing an instance, stopping or forgetting one, a job run starting or ending,
    /// any pool or node action) gives nil at once.
    public func plan(desired: DesiredState, world: World, now: Date, objects: Set<ObjectName>) -> Plan? {
        var pass = PlanningPass(desired: desired, world: world, now: now, planner: self, scope: objects)
        pass.run()
        if pass.abandoned { return nil }
        return Plan(actions: pass.actions, wakeAt: pass.wakeAt)
    }
}

/// One planning pass: the actions so far and the world as it will be once they are applied.
struct PlanningPass {
    let desired: DesiredState
    var world: World
    let now: Date
    let planner: Planner
    var actions: [Action] = []
    var wakeAt: Date?
    var index: PlanningIndex
    /// The objects a scoped pass plans (nil: the whole world). The index then holds only their instances.
    let scope: Set<ObjectName>?
    /// A scoped pass met something that reaches beyond its objects: its result is void.
    var abandoned = false

    init(desired: DesiredState, world: World, now: Date, planner: Planner, scope: Set<ObjectName>? = nil) {
        self.desired = desired
        self.world = world
        self.now = now
        self.planner = planner
        self.scope = scope
        self.index = PlanningIndex(world, only: scope)
    }

    /// Actions whose effects stay within their own object: a scoped pass may take them.
    static func staysWithinObject(_ action: Action) -> Bool {
        switch action {
        case .startContainer, .restartContainer, .setUpgradeBlocked: true
        default: false
        }
    }

    /// A scoped pass gives up (see ``Planner/plan(desired:world:now:objects:)``).
    mutating func abandon() {
        abandoned = true
    }

    mutating func emit(_ action: Action) {
        if scope != nil && !Self.staysWithinObject(action) { abandon() }
        if abandoned { return }
        actions.append(action)
        let touched = index.keys(touchedBy: action)
        for key in touched {
            if let old = world.instances[key] { index.remove(old) }
        }
        world.apply(action, desired: desired, now: now)
        for key in touched {
            if let new = world.instances[key] { index.add(new) }
        }
    }

    /// The instances of one object, by id (from the index: no scan of the whole world).
    func instancesOf(_ name: ObjectName) -> [InstanceState] {
        (index.byObject[name] ?? []).sorted().compactMap { world.instances[InstanceKey(name, $0)] }
    }

    mutating func wake(at date: Date) {
        if wakeAt.map({ date < $0 }) ?? true { wakeAt = date }
    }

    /// Runs rounds over the world-with-actions-applied until one adds nothing, so that one
    /// step's consequences (an instance forgotten frees its id, a retry's containers start) land
    /// in the same plan and planning again on the applied world asks for nothing.
    mutating func run() {
        for _ in 0..<Self.maximumRounds {
            let count = actions.count
            if let scope { runScopedRound(scope) } else { runRound() }
            if actions.count == count || abandoned { return }
        }
    }

    /// A bound on rounds per pass; real passes need two or three.
    static let maximumRounds = 8

    mutating func runRound() {
        planPools()
        ensureMinimumNodes()
        for name in desired.services.keys.sorted() {
            planService(desired.services[name]!)
        }
        for name in desired.jobs.keys.sorted() {
            planJob(desired.jobs[name]!)
        }
        planRemovedObjects()
        stopLateStarters()
        forgetStoppedServiceInstances()
        forgetRemovedServiceActivity()
        shrinkIdleNodes()
    }

    /// ``runRound()`` for the objects of a scoped pass, in the same order. Pools and nodes are left
    /// out: what they are planned from does not change within a scoped pass (it is abandoned first).
    mutating func runScopedRound(_ scope: Set<ObjectName>) {
        let names = scope.sorted()
        for name in names {
            if let service = desired.services[name] { planService(service) }
        }
        for name in names {
            if let job = desired.jobs[name] { planJob(job) }
        }
        planRemovedObjects()
        stopLateStarters()
        forgetStoppedServiceInstances()
        forgetRemovedServiceActivity()
    }

    /// Every instance the pass looks at: the whole world's, or a scoped pass's objects'.
    func instancesInScope() -> [InstanceState] {
        guard scope != nil else { return Array(world.instances.values) }
        return index.byObject.keys.flatMap { instancesOf($0) }
    }

    /// True when the pass plans `name` (always for a full pass).
    func inScope(_ name: ObjectName) -> Bool {
        scope?.contains(name) ?? true
    }

    // MARK: Services

    mutating func planService(_ service: DesiredService) {
        if planSuspendedService(service) { return }
        planServiceIdle(service)
        let n = service.header.minInstances
        // Scale down: highest ids first (all at once: nothing waits on them).
        for instance in instancesOf(service.name).reversed()
        where instance.key.id >= n && !instance.terminating {
            emit(.stopInstance(instance.key, .scaledDown))
        }
        planUpgrade(service)
        // Create (or retry placing) the instances that are missing.
        for id in 0..<n {
            let key = InstanceKey(service.name, id)
            if let existing = world.instances[key], existing.node != nil || existing.terminating { continue }
            placeInstance(key, digest: service.digest, spec: service.spec, pool: service.pool, attempt: 1)
        }
        for instance in instancesOf(service.name) where !instance.terminating && instance.node != nil {
            planContainers(instance, restartable: true)
        }
    }

    mutating func planUpgrade(_ service: DesiredService) {
        let n = service.header.minInstances
        let all = instancesOf(service.name)
        let live = all.filter { !$0.terminating && $0.key.id < n && $0.node != nil }
        let outdated = live.filter { $0.digest != service.digest }
        guard !outdated.isEmpty else {
            if world.upgradeBlocked[service.name] != nil { emit(.setUpgradeBlocked(service.name, nil)) }
            return
        }
        // Nothing is READY: there is no availability to protect, replace everything at once.
        if !live.contains(where: { $0.isReady }) && !all.contains(where: { $0.terminating }) {
            let current = live.filter { $0.digest == service.digest }
            if current.isEmpty {
                for instance in outdated.reversed() { emit(.stopInstance(instance.key, .upgrade)) }
                return
            }
        }
        // New-version instances, placed or still waiting for room.
        let fresh = all.filter { !$0.terminating && $0.key.id < n && $0.digest == service.digest }
        let deadline = Double(service.header.upgradeDeadlineSeconds)
        var blocked: String?
        for instance in fresh where !instance.isReady {
            let due = instance.createdAt.addingTimeInterval(deadline)
            if due <= now {
                let id = instance.key.id
                blocked =
                    blocked
                    ?? "Upgrade stopped: instance \(id) did not become READY within "
                    + "\(service.header.upgradeDeadlineSeconds) s; fix the spec or check "
                    + "`floectl logs \(service.name) --instance \(id)`"
            } else {
                wake(at: due)
            }
        }
        if world.upgradeBlocked[service.name] != blocked { emit(.setUpgradeBlocked(service.name, blocked)) }
        // An id with no instance is about to get a new one: wait for it like for any new instance.
        let missing = (0..<n).contains { world.instances[InstanceKey(service.name, $0)] == nil }
        let busy = missing || all.contains { $0.terminating } || fresh.contains { !$0.isReady }
        if !busy, let next = outdated.max(by: { $0.key.id < $1.key.id }) {
            // One at a time, highest id first: TERMINATING -> PENDING -> READY, then the next.
            emit(.stopInstance(next.key, .upgrade))
        }
    }

    /// Starts waiting containers when due; restarts containers whose liveness probe failed.
    mutating func planContainers(_ instance: InstanceState, restartable: Bool) {
        for (index, container) in instance.containers.enumerated() {
            let spec = instance.spec.containers[index]
            switch container.phase {
            case .waiting:
                if !restartable && (container.startError != nil || container.startedAt != nil) { continue }
                let due = container.nextStartAt ?? now
                if due <= now {
                    emit(.startContainer(instance.key, container: container.name))
                } else {
                    wake(at: due)
                }
            case .running:
                if let probe = spec.livenessProbe, container.livenessFailures >= probe.failureThreshold {
                    emit(.restartContainer(instance.key, container: container.name))
                }
            case .starting, .stopping, .exited:
                break
            }
        }
    }

    // MARK: Placement

    /// Where an instance can go: a node of its pool with room, or a node to add; else why not.
    enum Placement {
        case existing(NodeRef)
        case new(NodeRef)
        case none(message: String)
    }

    /// First fit: the first node of the pool with room; a new node when none has room and the
    /// pool is below MAX_NODES.
    func placement(for key: InstanceKey, spec: ServiceSpec, pool: ObjectName) -> Placement {
        guard let poolSpec = desired.pools[pool] else {
            return .none(
                message: "Compute pool \(pool) does not exist; add \(pool.value.lowercased()).yaml to the stage")
        }
        if let conflict = portConflict(for: key, spec: spec) { return .none(message: conflict) }
        if isSuspended(pool) { return .none(message: suspendedMessage(pool, poolSpec)) }
        let request = spec.instanceRequest
        let family = poolSpec.instanceFamily
        let nodes = world.nodes[pool] ?? []
        for index in nodes where fits(request, on: NodeRef(pool: pool, index: index), family: family) {
            return .existing(NodeRef(pool: pool, index: index))
        }
        if nodes.count < poolSpec.maxNodes && fits(request, on: nil, family: family) {
            return .new(NodeRef(pool: pool, index: (nodes.max() ?? -1) + 1))
        }
        return .none(message: "Unschedulable due to insufficient resources")
    }

    /// Places an instance (see ``placement(for:spec:pool:)``), adding a node when needed;
    /// otherwise records it as unschedulable with SPCS's message. Returns false when not placed.
    @discardableResult
    mutating func placeInstance(
        _ key: InstanceKey, digest: String, spec: ServiceSpec, pool: ObjectName, attempt: Int,
        recordFailure: Bool = true
    ) -> Bool {
        // Placing takes room and ports other objects may wait for: only a full pass decides it.
        if scope != nil {
            abandon()
            return false
        }
        // AUTO_RESUME: work for a suspended pool resumes it (unless the instance waits for a port anyway).
        if isSuspended(pool), let poolSpec = desired.pools[pool], poolSpec.autoResume,
            portConflict(for: key, spec: spec) == nil
        {
            resumePool(pool, .work)
        }
        switch placement(for: key, spec: spec, pool: pool) {
        case .existing(let node):
            emit(.place(key, digest: digest, node: node, attempt: attempt))
        case .new(let node):
            emit(.addNode(node))
            emit(.place(key, digest: digest, node: node, attempt: attempt))
        case .none(let message):
            if recordFailure { unschedulable(key, digest: digest, message) }
            return false
        }
        return true
    }

    mutating func unschedulable(_ key: InstanceKey, digest: String, _ message: String) {
        if let existing = world.instances[key], existing.node == nil, existing.digest == digest,
            existing.pendingMessage == message
        {
            return
        }
        emit(.unschedulable(key, digest: digest, message: message))
    }

    func fits(_ request: ResourceAmounts, on node: NodeRef?, family: InstanceFamily) -> Bool {
        var used = ResourceAmounts(milliCPU: 0, memoryBytes: 0, gpus: 0)
        if let node, let known = index.usage[node] { used = known }
        return used.milliCPU! + (request.milliCPU ?? 0) <= family.milliCPU
            && used.memoryBytes! + (request.memoryBytes ?? 0) <= family.memoryBytes
            && used.gpus! + (request.gpus ?? 0) <= family.gpus
    }

    /// Finished job replicas and stopped instances hold no resources or ports.
    func holdsResources(_ instance: InstanceState) -> Bool {
        PlanningIndex.holdsResources(instance)
    }

    /// On the host network two instances cannot listen on one port: the second waits.
    func portConflict(for key: InstanceKey, spec: ServiceSpec) -> String? {
        guard planner.instancesShareHostNetwork else { return nil }
        let wanted = spec.listeningPorts
        guard !wanted.isEmpty else { return nil }
        var holders = Set<InstanceKey>()
        for port in wanted { holders.formUnion(index.portHolders[port] ?? []) }
        holders.remove(key)
        guard let first = holders.min(), let other = world.instances[first],
            let port = other.spec.listeningPorts.intersection(wanted).min()
        else { return nil }
        return "Waiting for port \(port), held by \(other.key.object) instance \(other.key.id) "
            + "(instances share the host network)"
    }

    // MARK: Removal and clean-up

    /// Objects whose file is gone: services stop; running jobs are cancelled; finished jobs are
    /// kept for the retention time. Nothing is removed before the first full scan.
    mutating func planRemovedObjects() {
        guard desired.complete else { return }
        let names: Set<ObjectName>
        if let scope {
            names = scope.filter { index.byObject[$0] != nil || world.jobRuns[$0] != nil }
        } else {
            names = Set(world.instances.keys.map(\.object)).union(world.jobRuns.keys)
        }
        for name in names.sorted() where desired.services[name] == nil && desired.jobs[name] == nil {
            if let run = world.jobRuns[name] {
                if run.result == nil {
                    for instance in instancesOf(name) where !instance.terminating && !instance.isQuiet {
                        emit(.stopInstance(instance.key, .cancelled))
                    }
                    emit(.finishJobRun(name, .cancelled))
                } else if let finished = run.finishedAt {
                    let expiry = finished.addingTimeInterval(planner.jobRetention.seconds)
                    if expiry <= now { emit(.forgetJob(name)) } else { wake(at: expiry) }
                }
                continue
            }
            for instance in instancesOf(name).reversed() {
                if instance.node == nil && !instance.terminating {
                    emit(.forgetInstance(instance.key))
                } else if !instance.terminating {
                    emit(.stopInstance(instance.key, .removed))
                }
            }
        }
    }

    /// A container whose start was under way when its instance was stopped reports "started"
    /// afterwards: it runs although its instance is terminating. Stop it (again).
    mutating func stopLateStarters() {
        let late = instancesInScope().filter { instance in
            instance.terminating && instance.containers.contains(where: { $0.phase == .running })
        }
        for instance in late.sorted(by: { $0.key < $1.key }) {
            emit(.stopInstance(instance.key, instance.stopReason ?? .removed))
        }
    }

    mutating func forgetStoppedServiceInstances() {
        let stopped = instancesInScope().filter { !$0.isJob && $0.terminating && $0.isQuiet }
        for instance in stopped.sorted(by: { $0.key < $1.key }) {
            emit(.forgetInstance(instance.key))
        }
    }

    /// Running pools keep MIN_NODES nodes; suspended ones have none.
    mutating func ensureMinimumNodes() {
        for name in desired.pools.keys.sorted() where !isSuspended(name) {
            addMinimumNodes(name, desired.pools[name]!)
        }
    }

    /// Idle nodes go, highest index first, never below MIN_NODES (all of them once the pool is gone
    /// or suspended).
    mutating func shrinkIdleNodes() {
        for pool in world.nodes.keys.sorted() {
            let minimum = isSuspended(pool) ? 0 : desired.pools[pool]?.minNodes ?? 0
            var nodes = world.nodes[pool] ?? []
            guard nodes.count > minimum else { continue }
            let busy = Set(
                world.instances.values.filter { $0.node?.pool == pool && (holdsResources($0) || !$0.isQuiet) }
                    .compactMap(\.node))
            for index in nodes.sorted().reversed() where nodes.count > minimum {
                let node = NodeRef(pool: pool, index: index)
                if !busy.contains(node) {
                    emit(.removeNode(node))
                    nodes.removeAll { $0 == index }
                }
            }
        }
    }
}

extension ServiceSpec {
    /// The host ports an instance listens on: its endpoints' ports and its probes' ports.
    public var listeningPorts: Set<Int> {
        var ports = Set(endpoints.compactMap(\.port))
        for container in containers {
            if let p = container.readinessProbe?.port { ports.insert(p) }
            if let p = container.livenessProbe?.port { ports.insert(p) }
        }
        return ports
    }
}
