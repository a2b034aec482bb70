import FloeSpec

/// What one planning pass looks up again and again, kept up to date as the pass applies its own
/// actions: instances by object, resources used per node, and who holds each host port. Without
/// it every placement scans every instance, and a cold start of N services costs O(N²) per pass.
struct PlanningIndex {
    private(set) var byObject: [ObjectName: Set<Int>] = [:]
    private(set) var usage: [NodeRef: ResourceAmounts] = [:]
    private(set) var portHolders: [Int: Set<InstanceKey>] = [:]

    /// The index of every instance, or only of the instances of `objects` (a scoped pass: its
    /// usage and port holders are then partial, and only its objects may be looked up).
    init(_ world: World, only objects: Set<ObjectName>? = nil) {
        guard let objects else {
            for instance in world.instances.values { add(instance) }
            return
        }
        // Keys only: looking at every instance's value would cost what the scope saves.
        for key in world.instances.keys where objects.contains(key.object) {
            if let instance = world.instances[key] { add(instance) }
        }
    }

    /// Finished job replicas and stopped instances hold no resources or ports.
    static func holdsResources(_ instance: InstanceState) -> Bool {
        guard instance.node != nil else { return false }
        if instance.isJob && (instance.succeeded || instance.failed) { return false }
        if instance.terminating && instance.isQuiet { return false }
        return true
    }

    mutating func add(_ instance: InstanceState) {
        byObject[instance.key.object, default: []].insert(instance.key.id)
        guard Self.holdsResources(instance), let node = instance.node else { return }
        var used = usage[node] ?? ResourceAmounts(milliCPU: 0, memoryBytes: 0, gpus: 0)
        used.milliCPU! += instance.request.milliCPU ?? 0
        used.memoryBytes! += instance.request.memoryBytes ?? 0
        used.gpus! += instance.request.gpus ?? 0
        usage[node] = used
        for port in instance.spec.listeningPorts { portHolders[port, default: []].insert(instance.key) }
    }

    mutating func remove(_ instance: InstanceState) {
        byObject[instance.key.object]?.remove(instance.key.id)
        if byObject[instance.key.object]?.isEmpty == true { byObject[instance.key.object] = nil }
        guard Self.holdsResources(instance), let node = instance.node, var used = usage[node] else { return }
        used.milliCPU! -= instance.request.milliCPU ?? 0
        used.memoryBytes! -= instance.request.memoryBytes ?? 0
        used.gpus! -= instance.request.gpus ?? 0
        usage[node] = used
        for port in instance.spec.listeningPorts {
            portHolders[port]?.remove(instance.key)
            if portHolders[port]?.isEmpty == true { portHolders[port] = nil }
        }
    }

    /// The instance keys an action can change (all of an object's for job runs).
    func keys(touchedBy action: Action) -> [InstanceKey] {
        switch action {
        case .place(let key, _, _, _), .unschedulable(let key, _, _), .startContainer(let key, _),
            .restartContainer(let key, _), .stopInstance(let key, _), .forgetInstance(let key):
            return [key]
        case .startJobRun(let name, _), .forgetJob(let name):
            return (byObject[name] ?? []).map { InstanceKey(name, $0) }
        case .addNode, .removeNode, .finishJobRun, .setUpgradeBlocked, .suspendPool, .resumePool, .setPoolIdle,
            .forgetPool, .suspendService, .resumeService, .setServiceActive, .forgetService:
            return []
        }
    }
}
