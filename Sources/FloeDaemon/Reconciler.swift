import FloeAPI
import FloeCore
import FloeNetwork
import FloeRuntime
import FloeSpec
import Foundation
import Logging

/// The heart of floed: holds what the stage asks for and what runs, and reconciles the two.
///
/// Level-triggered: every event (a stage change, a process exit, a probe answer, a timer) ends in
/// ``reconcile()``, which plans with the pure ``Planner`` and carries out the actions.
public actor Reconciler {
    let settings: DaemonSettings
    let runtime: any ContainerRuntime
    /// Every readiness and liveness probe, on one event loop (see Reconciler+Probes.swift).
    let probes: ProbeScheduler
    let probeReports: AsyncStream<[ProbeReport]>
    let logger: Logger
    let planner: Planner
    let store: WorldStore
    /// How instances are networked (host, or their own namespaces).
    let network: any InstanceNetwork
    /// Instances' network attachments and what was published (see Reconciler+Network.swift).
    var networking = NetworkBook()

    var registry: StageRegistry {
        didSet { stageChangedSinceCache() }
    }
    var world = World()
    var stageComplete = false {
        didSet { stageChangedSinceCache() }
    }
    /// ``desiredState()`` and the query view's stage entries, kept until the stage or the secrets change.
    var stageCache = StageCache()
    var events = EventLog()
    /// The probe loops running, with the run each belongs to and its failure threshold; and which
    /// loop each run (the scheduler's id) is.
    var activeProbes: [ProbeKey: ActiveProbe] = [:]
    var probeRuns: [Int: ProbeKey] = [:]
    var probeRunCount = 0
    var probeConsumer: Task<Void, Never>?
    var wakeTask: Task<Void, Never>?
    var saveTask: Task<Void, Never>?
    /// The world changed since the last save began.
    var unsavedChanges = false
    /// ``shutdown()`` was called: no more background saves.
    var shutDown = false
    /// The status queries' view of the world, rebuilt when `generation` moves.
    var queryView: QueryView?
    var summaryCache: (generation: Int, text: String)?
    var wakeAt: Date?
    /// A ``reconcileSoon()`` is queued and has not run yet.
    var reconcileQueued = false
    /// Something changed that only a plan over the whole world accounts for (see Reconciler+Coalescing).
    var fullPlanDue = true
    /// Exits that arrived before the start that caused them was recorded (very short-lived processes).
    var pendingExits: [PendingKey: ContainerExit] = [:]
    /// Bumped on every change, so that waiters can tell something happened.
    var generation = 0
    /// Who waits for a change, with the timer that ends the wait (cancelled when a change comes first).
    var waiters: [Int: (continuation: CheckedContinuation<Void, Never>, timer: Task<Void, Never>)] = [:]
    var nextWaiterID = 0
    /// Who instances run as, where image directories may be, and the secrets (see Reconciler+Security).
    let runAsPolicy: RunAsPolicy
    let imageRoots: PathRoots
    let secretStore: SecretStore
    var secrets: [ObjectName: StoredSecret] = [:] {
        didSet { stageCache.desired = nil }
    }

    /// Creates a reconciler. Nothing runs until ``start()``.
    /// - Parameter stageTrust: when given, every spec file must pass it before it may run (a file that
    ///   fails is a file with errors); nil checks nothing (tests).
    /// - Parameter network: how instances are networked; the host network unless given.
    public init(
        settings: DaemonSettings, runtime: any ContainerRuntime, prober: any Prober, logger: Logger,
        stageTrust: StageTrust? = nil, network: any InstanceNetwork = HostNetwork()
    ) throws {
        self.settings = settings
        self.runtime = runtime
        let (reports, reportSink) = AsyncStream.makeStream(of: [ProbeReport].self)
        self.probeReports = reports
        self.probes = ProbeScheduler(prober: prober) { batch in reportSink.yield(batch) }
        self.logger = logger
        self.network = network
        var planner = Planner(jobRetention: settings.jobRetention)
        planner.instancesShareHostNetwork = !network.isolatesInstances
        self.planner = planner
        self.store = try WorldStore(stateDirectory: settings.stateDirectory)
        self.registry = StageRegistry(
            directory: settings.stageDirectory, defaultPoolName: settings.defaultPoolName,
            defaultPool: settings.defaultPool)
        self.runAsPolicy = RunAsPolicy(defaultUser: settings.defaultUser)
        let roots = PathRoots([settings.stageDirectory] + settings.imageRoots)
        self.imageRoots = roots
        let secretStore = SecretStore(directory: settings.stateDirectory + "/secrets")
        self.secretStore = secretStore
        self.secrets = secretStore.all()
        if let stageTrust {
            self.registry.fileCheck = { path in stageTrust.specFileProblems(path) }
        }
        self.registry.objectCheck = { file in roots.problems(in: file) }
    }

    /// Loads the state a previous run left, and stops the instances it left behind (floe does not
    /// adopt them yet): restart counts, job history and results carry over.
    public func start() async {
        startProbeReports()
        guard var saved = store.load(logger: logger) else { return }
        var stale: [(InstanceKey, String, ContainerHandle)] = []
        for (key, instance) in saved.instances {
            for c in instance.containers {
                if let handle = c.handle, runtime.isAlive(handle) { stale.append((key, c.name, handle)) }
            }
            var instance = instance
            for i in instance.containers.indices {
                let phase = instance.containers[i].phase
                instance.containers[i].handle = nil
                instance.containers[i].ready = false
                if phase == .running || phase == .starting || phase == .stopping {
                    instance.containers[i].phase = instance.isJob ? .exited : .waiting
                    instance.containers[i].nextStartAt = nil
                    if instance.isJob && instance.containers[i].lastExit == nil {
                        instance.containers[i].lastExit = ContainerExit(exitCode: nil, signal: 15)
                    }
                }
            }
            saved.instances[key] = instance
        }
        world = saved
        for (key, container, handle) in stale {
            record(
                key.object, key.id, container, "stale", "stopping process \(handle.pid) left by a previous floed run")
        }
        let runtime = self.runtime
        await withTaskGroup(of: Void.self) { group in
            for (_, _, handle) in stale {
                group.addTask { await runtime.stop(handle, grace: .seconds(30)) }
            }
        }
        record(
            nil, nil, nil, "restored",
            "state restored: \(world.instances.count) instance records, \(world.jobRuns.count) job runs")
    }

    // MARK: Stage events

    /// Files of the stage changed (names relative to the stage directory).
    public func stageChanged(_ names: Set<String>) {
        applyStageChanges(registry.reload(names, now: Date()))
        fullPlanDue = true
        reconcileSoon()
    }

    /// A full scan of the stage finished: `names` is every stage file there, `changed` those that
    /// differ from what was reported before (the first scan reads everything).
    public func fullScan(_ names: Set<String>, changed: Set<String>) {
        let toRead = stageComplete ? changed.union(names.subtracting(registry.entries.keys)) : names
        let changes = registry.reload(toRead, all: names, now: Date())
        let first = !stageComplete
        if first {
            stageComplete = true
            record(nil, nil, nil, "scanned", "first full scan of \(settings.stageDirectory): \(names.count) files")
        }
        applyStageChanges(changes)
        // A periodic rescan that found nothing new changes nothing unless the plan does something.
        reconcile(worldChanged: first || !changes.isEmpty)
    }

    func applyStageChanges(_ changes: [StageRegistry.Change]) {
        for change in changes {
            switch change {
            case .loaded(let name, let kind, let file, let updated):
                record(name, nil, nil, updated ? "updated" : "loaded", "\(kind) from \(file)")
            case .rejected(let name, let file, let errors, let keepsRunning):
                let first = errors.first.map { "\($0.line):\($0.column): \($0.message)" } ?? ""
                let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
                let tail = keepsRunning ? "; the last good version keeps running" : ""
                record(name, nil, nil, "rejected", "\(file):\(first)\(more)\(tail)", level: .warning)
            case .removed(let name, let file):
                record(name, nil, nil, "removed", "\(file) was removed")
            }
        }
    }

    // MARK: The loop

    /// Plans and acts until the plan is empty; then schedules the next wake-up. `worldChanged`: the
    /// caller changed the world or the stage, so waiters are woken and the world is saved even when
    /// the plan is empty (otherwise only when it was not). `scoped`: plan only the objects observed
    /// changing, when nothing else changed since the last plan (see ``reconcileSoon()``).
    func reconcile(worldChanged: Bool = true, scoped: Bool = false) {
        reconcileQueued = false
        var acted = false
        let now = Date()
        var desired = desiredState()
        if !stageComplete { desired.complete = false }
        var scope = takePlanScope(scoped: scoped)
        var settled = false
        for _ in 0..<64 {
            let plan = nextPlan(desired: desired, now: now, scope: &scope)
            schedule(wakeAt: plan.wakeAt)
            if plan.actions.isEmpty {
                settled = true
                break
            }
            acted = true
            for action in plan.actions {
                world.apply(action, desired: desired, now: now)
                perform(action, desired: desired)
            }
            scope = confirmationScope(after: plan.actions)
        }
        // A loop cut short may have left work for objects the next scoped plan would not look at.
        if !settled { fullPlanDue = true }
        if acted || worldChanged {
            updateNetwork(desired: desired)
            changed()
        }
    }

    /// Records that something changed: persists the world and wakes status waiters.
    func changed() {
        generation += 1
        resumeWaiters()
        unsavedChanges = true
        scheduleSave()
    }

    /// Saves are coalesced: at most one write per 500 ms however busy the loop is (a crash loses at
    /// most that much of the records; processes are found again from their handles). The JSON is
    /// made and written off the actor, from a copy of the world.
    func scheduleSave() {
        guard saveTask == nil, !shutDown else { return }
        saveTask = Task.detached { [weak self] in
            try? await Task.sleep(for: .milliseconds(500))
            guard let self, let world = await self.worldToSave() else { return }
            self.store.save(world, logger: self.logger)
            await self.saved()
        }
    }

    /// The world as it is now, for the save under way (nil when the reconciler was shut down).
    func worldToSave() -> World? {
        guard saveTask != nil else { return nil }
        unsavedChanges = false
        return world
    }

    /// A background save finished: save again if the world changed meanwhile.
    func saved() {
        saveTask = nil
        if unsavedChanges { scheduleSave() }
    }

    /// Saves the world now, on the actor, after any background save (at shutdown).
    func saveNow() async {
        let running = saveTask
        saveTask = nil
        running?.cancel()
        await running?.value
        unsavedChanges = false
        store.save(world, logger: logger)
    }

    func schedule(wakeAt date: Date?) {
        guard let date else { return }
        if let current = wakeAt, current <= date, current > Date() { return }
        wakeAt = date
        wakeTask?.cancel()
        let delay = max(date.timeIntervalSinceNow, 0)
        wakeTask = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000) + 1))
            guard !Task.isCancelled else { return }
            await self?.timerFired()
        }
    }

    func timerFired() {
        wakeAt = nil
        reconcile(worldChanged: false)
    }

    /// Waits until something changes after `generation` was read, `timeout` passes, or the task is
    /// cancelled.
    func waitForChange(after seen: Int, timeout: Duration) async {
        guard generation == seen else { return }
        nextWaiterID += 1
        let id = nextWaiterID
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                guard !Task.isCancelled else {
                    continuation.resume()
                    return
                }
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    await self?.resumeWaiter(id)
                }
                waiters[id] = (continuation, timer)
            }
        } onCancel: {
            Task { [weak self] in await self?.resumeWaiter(id) }
        }
    }

    func resumeWaiter(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.timer.cancel()
        waiter.continuation.resume()
    }

    func resumeWaiters() {
        for id in Array(waiters.keys) { resumeWaiter(id) }
    }

    /// Stops accepting work; instances keep running (floed's restart must not kill them).
    public func shutdown() async {
        shutDown = true
        wakeTask?.cancel()
        probes.removeAll()
        activeProbes.removeAll()
        probeRuns.removeAll()
        probeConsumer?.cancel()
        await saveNow()
        resumeWaiters()
        record(nil, nil, nil, "shutdown", "floed stops; instances keep running and are stopped by the next floed")
    }

    // MARK: Events

    func record(
        _ object: ObjectName?, _ instance: Int?, _ container: String?, _ reason: String, _ message: String,
        level: Logger.Level = .info
    ) {
        let event = EventRecord(
            time: Timestamp.rfc3339(Date()), object: object?.value ?? "", instanceId: instance.map(String.init),
            container: container, reason: reason, message: message)
        events.append(event)
        var metadata: Logger.Metadata = ["reason": .string(reason)]
        if let object { metadata["service"] = .string(object.value) }
        if let instance { metadata["instance"] = .string(String(instance)) }
        if let container { metadata["container"] = .string(container) }
        logger.log(level: level, "\(message)", metadata: metadata)
    }
}

/// One container of one instance.
struct PendingKey: Hashable, Sendable {
    var key: InstanceKey
    var container: String
}

extension Reconciler {
    /// Keeps every running container's log under the size limit (copy-truncate; the processes
    /// write their logs themselves, so floed trims them from outside).
    func enforceLogLimits() {
        for instance in world.instances.values {
            for c in instance.containers where c.phase == .running {
                let path = settings.logFile(object: instance.key.object, instance: instance.key.id, container: c.name)
                if LogFiles.enforceLimit(path: path, maxBytes: settings.logSizeLimitBytes) {
                    record(
                        instance.key.object, instance.key.id, c.name, "log-trimmed",
                        "log over \(settings.logSizeLimitBytes) bytes: kept the newest half")
                }
            }
        }
    }
}
