import FloeAPI
import FloeCore
import FloeNetwork
import FloeRuntime
import FloeSpec
import Foundation
import Logging
import ServiceLifecycle

/// The reconcile loop: owns the world and the planner, takes one stream of events (stage changes,
/// exits, probe answers, timers, commands), plans, hands the actions to the instance runners, saves,
/// and publishes a snapshot of the world after each change for the query side.
///
/// Level-triggered: each batch of events ends in a plan over the objects it touched (or the whole
/// world when something changed that only a whole plan accounts for: see ``ReconcileLoop/reconcile(worldChanged:scoped:)``).
public actor ReconcileLoop: Service {
    let settings: DaemonSettings
    let runtime: any ContainerRuntime
    let clock: any FloeClock
    let store: any WorldStore
    let network: any InstanceNetwork
    let planner: Planner
    let logger: Logger
    /// What floed did and why (shared with the runners' hooks and the query side).
    public nonisolated let events: EventRecorder
    /// The latest snapshot of the world, for the query side.
    nonisolated let broadcaster: SnapshotBroadcaster
    /// The prober manager: every container's probe loops.
    nonisolated let probes: ProbeManager
    nonisolated let queue = EventQueue<LoopEvent>()
    /// The hooks each runner runs, in order.
    let hooks: [any InstanceHook]
    /// The hook that trims logs (its ``LogLimitHook/enforce()`` runs every 10 s).
    nonisolated let logLimits: LogLimitHook
    let launchContext: LaunchBuilder.Context
    let routes: RoutePublisher

    var registry: StageRegistry
    var stageComplete = false
    var world = World()
    var secrets: [ObjectName: StoredSecret]
    /// The stage as the queries read it; rebuilt when the stage or the secrets change.
    var stageView: StageView
    var stageDirty = false
    var runners: [InstanceKey: InstanceRunner] = [:]
    /// Runners forgetting their instance: a new runner of the same key waits for them.
    var retiring: [InstanceKey: InstanceRunner] = [:]
    var nextRunnerID = 0
    var addresses: [InstanceKey: String] = [:]
    var wakeAt: Date?
    var wakeTask: Task<Void, Never>?
    /// Something changed that only a plan over the whole world accounts for.
    var fullPlanDue = true
    var generation = 0
    var saveTask: Task<Void, Never>?
    /// Containers ``restore()`` found to adopt, handed to their runners by ``prepareNetwork()``.
    var restoredAdoptions: [ContainerRef: ContainerHandle] = [:]
    /// Runs whose end the world holds since the last save began: their runtime records go once a save
    /// that holds those ends is written.
    var endsToDiscard: Set<String> = []
    /// When the last save began (saves are at least 500 ms apart).
    var lastSaveAt: Date = .distantPast
    var unsavedChanges = false
    var shutDown = false

    /// Creates the loop. Nothing runs until ``restore()`` and ``run()``.
    /// - Parameters:
    ///   - stageTrust: when given, every spec file must pass it before it may run (a file that fails is a
    ///     file with errors); nil checks nothing (tests).
    ///   - network: how instances are networked; the host network unless given.
    ///   - clock: the time the loop, its runners and its queries read.
    ///   - store: where the world is kept between runs (the state directory's file unless given).
    public init(
        settings: DaemonSettings, runtime: any ContainerRuntime, prober: any Prober, logger: Logger,
        stageTrust: StageTrust? = nil, network: any InstanceNetwork = HostNetwork(),
        clock: any FloeClock = SystemClock(), store: (any WorldStore)? = nil
    ) throws {
        self.settings = settings
        self.runtime = runtime
        self.clock = clock
        self.logger = logger
        self.network = network
        var planner = Planner(jobRetention: settings.jobRetention)
        planner.instancesShareHostNetwork = !network.isolatesInstances
        self.planner = planner
        self.store = try store ?? FileWorldStore(stateDirectory: settings.stateDirectory)
        let events = EventRecorder(
            logger: logger, clock: clock,
            journal: EventJournal(path: settings.stateDirectory + "/events.jsonl", capacity: 10_000))
        self.events = events
        var registry = StageRegistry(
            directory: settings.stageDirectory, defaultPoolName: settings.defaultPoolName,
            defaultPool: settings.defaultPool)
        if let stageTrust {
            registry.fileCheck = { path in stageTrust.specFileProblems(path) }
        }
        registry.lastGoodStore = LastGoodStore(directory: settings.stateDirectory + "/stage-good")
        let roots = PathRoots([settings.stageDirectory] + settings.imageRoots)
        registry.objectCheck = { file in roots.problems(in: file) }
        self.registry = registry
        let secretStore = SecretStore(directory: settings.stateDirectory + "/secrets")
        self.secrets = secretStore.all()
        let queue = self.queue
        self.probes = ProbeManager(prober: prober) { outcomes in queue.send(.probes(outcomes)) }
        self.logLimits = LogLimitHook(maxBytes: settings.logSizeLimitBytes, events: events)
        var hooks: [any InstanceHook] = [
            RunAsHook(
                policy: RunAsPolicy(defaultUser: settings.defaultUser), baseEnvironment: settings.baseEnvironment),
            ImageDirectoryHook(roots: roots),
            SecretsHook(files: SecretFiles(settings: settings)),
        ]
        if network.isolatesInstances { hooks.append(NetworkHook(network: network, events: events)) }
        hooks += [ProbeHook(probes: probes), logLimits]
        self.hooks = hooks
        self.launchContext = LaunchBuilder.Context(
            baseEnvironment: settings.baseEnvironment, defaultPool: settings.defaultPoolName,
            stageDirectory: settings.stageDirectory)
        self.routes = RoutePublisher(network: network, events: events)
        let view = Self.stageView(version: 0, registry: registry, complete: false, secrets: secrets)
        self.stageView = view
        self.broadcaster = SnapshotBroadcaster(
            initial: WorldSnapshot(generation: 0, world: World(), stage: view, addresses: [:], secrets: secrets),
            clock: clock)
    }

    /// Takes events until floed shuts down gracefully (or ``stop()``), then stops taking work: the
    /// world is saved; instances keep running.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while let batch = await queue.next() { process(batch) }
        } onGracefulShutdown: {
            self.stop()
        }
        await shutdown()
    }

    /// Ends ``run()`` (what a graceful shutdown does). Commands still queued are answered without
    /// being carried out.
    public nonisolated func stop() {
        for event in queue.finish() {
            switch event {
            case .command(_, let done?), .fullScan(_, _, let done?): done.resume()
            default: break
            }
        }
    }

    /// Hands an event to the loop.
    nonisolated func send(_ event: LoopEvent) {
        queue.send(event)
    }

    /// Hands a command to the loop and returns once it was carried out and a snapshot that shows it was
    /// published (at once when the loop has stopped).
    nonisolated func command(_ command: LoopCommand) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !queue.send(.command(command, done: continuation)) { continuation.resume() }
        }
    }

    /// Sends `WATCHDOG=1` from the loop's own actor: while the actor is stuck this cannot run, so
    /// systemd's watchdog notices a stuck loop, not only a dead process.
    func feedWatchdog(_ notify: @Sendable () -> Void) {
        notify()
    }

    // MARK: Events

    func record(
        _ object: ObjectName?, _ instance: Int?, _ container: String?, _ reason: String, _ message: String,
        level: Logger.Level = .info
    ) {
        events.record(object, instance, container, reason, message, level: level)
    }
}

extension ReconcileLoop {
    /// Hands a full scan of the stage to the loop and returns once the loop took it in (planned and
    /// published): `names` is every stage file there, `changed` those that differ from what was
    /// reported before (the first scan reads everything).
    public nonisolated func fullScan(_ names: Set<String>, changed: Set<String>) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !queue.send(.fullScan(names: names, changed: changed, done: continuation)) { continuation.resume() }
        }
    }
}
