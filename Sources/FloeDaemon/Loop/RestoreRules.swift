import FloeCore
import FloeRuntime
import Foundation

/// What floed does, when it starts, with the world a previous floed saved and the runs the runtime
/// still holds (a pure function of the two, tested alone):
///
/// - A container the records name with a run (started under a monitor) is **adopted**: it keeps its
///   handle, restart count and start time; the runner asks the runtime whether it still runs, and how
///   it ended if not. When a newer run of the same container still runs (floed replaced the recorded
///   one and died before saving that), the newer one is adopted and the recorded one stopped.
/// - A run the records miss (floed died between the start and the save of its records) is adopted
///   when it is the newest run of a container the records still have, started after that container's
///   last recorded end, and the container was not stopping for good; its start counts then. A service
///   instance the records miss entirely, with a run still running, is first rebuilt from the intent
///   its newest run keeps (``ContainerRun/instance``).
/// - Every other run whose process still runs is **stale**: it is stopped, with an event saying why
///   (no duplicate beside the container the loop starts). Other ended runs are discarded.
/// - A container recorded without a run (a floed before monitors; or every container, with
///   `adopting` off) is not adopted: its process, if it is alive, is stopped as before, and the
///   container starts again.
struct RestoreRules {
    /// The world to go on with.
    var world: World
    /// Containers to hand to their runners for adoption.
    var adopt: [ContainerRef: ContainerHandle] = [:]
    /// Runs to stop, and why.
    var stale: [(handle: ContainerHandle, run: ContainerRun?, reason: String)] = []
    /// Ended runs that nothing names: their records go.
    var discard: [String] = []
    /// Instances rebuilt from the intent kept with their runs.
    var rebuilt: [InstanceKey] = []

    init(saved: World, runs: [LeftRun], adopting: Bool, isAlive: (ContainerHandle) -> Bool) {
        world = saved
        var named: Set<String> = []
        // Each run by name, and each container's runs: looked up per recorded container below.
        let runsByID = Dictionary(runs.map { ($0.run.id, $0) }, uniquingKeysWith: { first, _ in first })
        let runsByContainer = Dictionary(grouping: runs) { ContainerRef($0.run.key, $0.run.container) }
        for (key, instance) in saved.instances {
            for c in instance.containers {
                let ref = ContainerRef(key, c.name)
                let active = c.phase == .running || c.phase == .starting || c.phase == .stopping
                if adopting, active, let handle = c.handle, let run = handle.run {
                    named.insert(run)
                    let recorded = runsByID[run]
                    let newer = (runsByContainer[ref] ?? []).filter { left in
                        left.run.id != run && left.handle != nil
                            && recorded.map { left.run.requestedAt > $0.run.requestedAt } == true
                    }.max { $0.run.requestedAt < $1.run.requestedAt }
                    if let newer, let newerHandle = newer.handle {
                        // floed replaced the recorded run and died before it saved that: the newer
                        // run is the container's now.
                        named.insert(newer.run.id)
                        takeIntent(of: newer.run)
                        adopt[ref] = newerHandle
                        world.containerAdopted(key, c.name, handle: newerHandle, missedStart: newer.run.requestedAt)
                        if let old = recorded?.handle {
                            stale.append(
                                (
                                    old, recorded?.run,
                                    "stopping process \(old.pid) of run \(run): a newer run replaced it"
                                ))
                        } else {
                            discard.append(run)
                        }
                        continue
                    }
                    adopt[ref] = handle
                    world.containerAdopted(key, c.name, handle: handle)
                    continue
                }
                if let handle = c.handle {
                    if isAlive(handle) {
                        stale.append((handle, nil, "stopping process \(handle.pid) left by a previous floed run"))
                    } else if let run = handle.run {
                        discard.append(run)
                    }
                    if let run = handle.run { named.insert(run) }
                }
                if active { Self.reset(&world, key, c.name, job: instance.isJob) }
            }
        }
        // The runs the records do not name, newest first per container.
        var unnamed: [ContainerRef: [LeftRun]] = [:]
        for left in runs where !named.contains(left.run.id) {
            unnamed[ContainerRef(left.run.key, left.run.container), default: []].append(left)
        }
        // A service instance the records miss while a run of it still runs (floed died before saving
        // it): rebuilt from the intent kept with its newest run.
        if adopting {
            for group in unnamed.values {
                guard let newest = group.max(by: { $0.run.requestedAt < $1.run.requestedAt }),
                    newest.handle != nil, var instance = newest.run.instance, !instance.isJob,
                    world.instances[instance.key] == nil, instance.key == newest.run.key
                else { continue }
                for i in instance.containers.indices {
                    instance.containers[i].phase = .waiting
                    instance.containers[i].handle = nil
                    instance.containers[i].ready = false
                }
                world.instances[instance.key] = instance
                noteNode(instance.node)
                rebuilt.append(instance.key)
            }
        }
        for (ref, group) in unnamed {
            var rest = group.sorted { $0.run.requestedAt > $1.run.requestedAt }
            if adopting, let newest = rest.first, newest.handle != nil || newest.run.exit != nil,
                let instance = world.instances[ref.key], !instance.terminating,
                let c = world.container(ref.key, ref.container), c.handle == nil, c.phase != .exited,
                newest.run.requestedAt > (c.lastExitAt ?? .distantPast)
            {
                rest.removeFirst()
                takeIntent(of: newest.run)
                let handle =
                    newest.handle
                    ?? ContainerHandle(
                        pid: newest.run.containerPID ?? 0, processGroup: newest.run.containerPID ?? 0, startTicks: 0,
                        run: newest.run.id, monitorPID: newest.run.monitorPID)
                adopt[ref] = handle
                world.containerAdopted(ref.key, ref.container, handle: handle, missedStart: newest.run.requestedAt)
            }
            for left in rest {
                if let handle = left.handle {
                    let why =
                        world.instances[ref.key] == nil
                        ? "its instance is not in floed's records" : "it is not the container's run in floed's records"
                    stale.append((handle, left.run, "stopping process \(handle.pid) of run \(left.run.id): \(why)"))
                } else {
                    discard.append(left.run.id)
                }
            }
        }
    }

    /// The run was asked for with another version of its instance than the records have (floed
    /// upgraded the instance and died before saving that): the instance is the run's version now,
    /// so that the planner does not take the adopted process for the old version and replace it.
    private mutating func takeIntent(of run: ContainerRun) {
        guard let intent = run.instance, !intent.isJob, var instance = world.instances[intent.key],
            instance.digest != intent.digest
        else { return }
        instance.digest = intent.digest
        instance.spec = intent.spec
        instance.request = intent.request
        instance.node = intent.node
        instance.attempt = intent.attempt
        instance.createdAt = intent.createdAt
        instance.terminating = false
        instance.stopReason = nil
        let names = intent.spec.containers.map(\.name)
        if instance.containers.map(\.name) != names {
            instance.containers = names.map { ContainerState(name: $0) }
        }
        world.instances[intent.key] = instance
        noteNode(intent.node)
    }

    /// A node an instance taken from a run's intent is on: the pool has it (the records may have been
    /// saved before the node was added).
    private mutating func noteNode(_ node: NodeRef?) {
        guard let node, !(world.nodes[node.pool] ?? []).contains(node.index) else { return }
        world.nodes[node.pool, default: []].append(node.index)
        world.nodes[node.pool]?.sort()
    }

    /// A container that was starting, running or stopping and is not adopted: a service's starts again
    /// (it is not counted as a crash); a job replica's that had started ends with SIGTERM as its status,
    /// one that had not starts.
    private static func reset(_ world: inout World, _ key: InstanceKey, _ name: String, job: Bool) {
        world.updateContainer(key, name) { c in
            let started = c.handle != nil
            c.handle = nil
            c.ready = false
            c.nextStartAt = nil
            if job && started {
                c.phase = .exited
                if c.lastExit == nil { c.lastExit = ContainerExit(exitCode: nil, signal: 15) }
            } else {
                c.phase = .waiting
            }
        }
    }
}
