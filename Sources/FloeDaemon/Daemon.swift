import FloeAPI
import FloeConfig
import FloeRuntime
import FloeSpec
import FloeSystemd
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// floed: watches the stage, reconciles, and serves the control API until SIGTERM/SIGINT.
public enum Daemon {
    /// Runs the daemon in the foreground. Returns after a graceful shutdown; user instances keep
    /// running (the next floed finds them).
    /// - Parameters:
    ///   - environment: floed's environment (paths, and `NOTIFY_SOCKET` when `notifier` is nil).
    ///   - notifier: how to talk to systemd; `floed` passes ``SystemdNotifier/forThisProcess()``
    ///     (libsystemd). Nil: a notifier built from `environment`.
    /// - Throws: ``DaemonError/unsafeStage(_:)`` when others could change the stage directory.
    public static func run(
        config: FloedConfig, environment: [String: String], logger: Logger, notifier: SystemdNotifier? = nil
    ) async throws {
        let settings = DaemonSettings(config: config, environment: environment)
        try prepareDirectories(settings)
        let trust = try StageTrust.forCurrentProcess(allowStageGroup: config.allowStageGroup)
        let problems = trust.stageProblems(directory: settings.stageDirectory)
        guard problems.isEmpty else { throw DaemonError.unsafeStage(problems) }
        let notifier = notifier ?? SystemdNotifier(environment: environment)
        let runtime = ProcessRuntime(
            logger: logger,
            runs: RunDirectory(path: settings.runsDirectory, monitor: try monitorExecutable(environment)))
        let prober = NIOProber()
        let network = try makeNetwork(settings, logger: logger)
        let loop = try ReconcileLoop(
            settings: settings, runtime: runtime, prober: prober, logger: logger, stageTrust: trust, network: network)
        await loop.restore()
        do {
            try await loop.prepareNetwork()
        } catch {
            throw DaemonError.network("\(error)")
        }
        let queries = ServiceQueries(loop: loop, settings: settings)
        let watcher = StageWatcher(directory: settings.stageDirectory, rescanInterval: settings.rescanInterval)
        let router = ControlAPI.router(queries: queries, settings: settings, rescan: { watcher.rescanNow() })
        let ingress = try makeIngress(settings: settings, queries: queries, router: router, logger: logger)
        try removeStaleSocket(settings.socketPath)
        let access = SocketAccessPolicy.forCurrentProcess(groupName: settings.socketGroup)
        // Every connection's peer is checked (SO_PEERCRED) before its requests reach the router.
        let app = Application(
            router: router,
            server: .http1(
                configuration: .init(additionalChannelHandlers: [PeerAccessHandler(policy: access, logger: logger)])),
            configuration: .init(address: .unixDomainSocket(path: settings.socketPath), serverName: "floed"),
            onServerRunning: { _ in
                SocketPermissions.apply(path: settings.socketPath, policy: access, logger: logger)
            },
            logger: logger)
        let stage = StageService(
            watcher: watcher, loop: loop, queries: queries, notifier: notifier, logger: logger, settings: settings)
        // Shut down in reverse order: the stage first, the loop last (queries are answered to the end).
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: loop), .init(service: app), .init(service: ingress), .init(service: MemoryTrimmer()),
                    .init(service: stage),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await loop.shutdownNetwork()
        await prober.shutdown()
    }

    static func prepareDirectories(_ settings: DaemonSettings) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: settings.stageDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(
            atPath: settings.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let socketDirectory = (settings.socketPath as NSString).deletingLastPathComponent
        try fm.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(
            atPath: settings.runsDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
    }

    /// floe-monitor: `FLOE_MONITOR` when set, else the one beside floed's own executable (where `make
    /// install` and `swift build` put it).
    static func monitorExecutable(_ environment: [String: String]) throws(DaemonError) -> String {
        if let path = environment["FLOE_MONITOR"], !path.isEmpty {
            guard access(path, X_OK) == 0 else { throw .monitorMissing(path) }
            return path
        }
        let own =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = (own as NSString).deletingLastPathComponent + "/floe-monitor"
        guard access(path, X_OK) == 0 else { throw .monitorMissing(path) }
        return path
    }

    /// A socket file left by a floed that died is removed; one that answers means floed already runs.
    static func removeStaleSocket(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        if UnixSocketCheck.connectProblem(path) == nil { throw DaemonError.alreadyRunning(path) }
        unlink(path)
    }
}

/// Why floed cannot start.
public enum DaemonError: Error, CustomStringConvertible {
    case alreadyRunning(String)
    /// Others could change the stage (``StageGuard``): floed would run what they write.
    case unsafeStage([StageProblem])
    /// Instance networking could not be set up (the message says what to do).
    case network(String)
    /// floe-monitor, the parent of every container, is not where floed looked.
    case monitorMissing(String)
    public var description: String {
        switch self {
        case .alreadyRunning(let path):
            "another floed already answers on \(path); stop it first, or give this one another --socket and --state-dir"
        case .unsafeStage(let problems):
            "refusing the stage: " + problems.map(\.description).joined(separator: "; and ")
        case .network(let message):
            "instance network: \(message)"
        case .monitorMissing(let path):
            "floe-monitor is missing at \(path): install it beside floed (make install, or swift build builds it "
                + "beside floed), or point FLOE_MONITOR at it"
        }
    }
}

/// Feeds stage events to the loop, handles SIGHUP (rescan) and tells systemd how things are:
/// `READY=1` once the first full scan has been handed to the loop; `STATUS=` whenever the summary
/// changes (at most four times a second); `RELOADING=1` on SIGHUP and `READY=1` once the rescan it asked
/// for was processed; `WATCHDOG=1` from the loop's actor; `STOPPING=1` first thing on shutdown.
///
/// It must be the last service of the ``ServiceGroup``, so that it is the first one told to shut down.
struct StageService: Service {
    let watcher: StageWatcher
    let loop: ReconcileLoop
    let queries: ServiceQueries
    let notifier: SystemdNotifier
    let logger: Logger
    let settings: DaemonSettings

    /// The least time between two `STATUS=` messages.
    static let statusInterval: Duration = .milliseconds(250)

    func run() async throws {
        let reloads = PendingReloads()
        // STATUS= follows READY=1: before the first scan floed knows nothing worth a status.
        let (readiness, becameReady) = AsyncStream.makeStream(of: Void.self)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                        logger.info("SIGHUP: rescanning the stage")
                        reloads.begin()
                        try? notifier.reloading()
                        watcher.rescanNow()
                    }
                }
                group.addTask {
                    guard let interval = notifier.watchdogInterval else { return }
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        await loop.feedWatchdog { try? notifier.watchdog() }
                        try? await Task.sleep(for: interval)
                    }
                }
                group.addTask {
                    // Without a service manager listening, no summary is built at all.
                    guard notifier.isEnabled else { return }
                    for await _ in readiness.cancelOnGracefulShutdown() { break }
                    var sent: String?
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        let (line, generation) = queries.statusLine()
                        if line != sent {
                            try? notifier.status(line)
                            sent = line
                        }
                        try? await Task.sleep(for: Self.statusInterval)
                        guard !Task.isCancelled && !Task.isShuttingDownGracefully else { break }
                        await queries.waitForChange(after: generation, timeout: .seconds(2))
                    }
                }
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        try? await Task.sleep(for: .seconds(10))
                        loop.logLimits.enforce()
                    }
                }
                await handleStageEvents(reloads: reloads, becameReady: becameReady)
                becameReady.finish()
                watcher.finish()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            try? notifier.stopping()
        }
    }

    /// Hands the watcher's events to the loop until shutdown.
    func handleStageEvents(reloads: PendingReloads, becameReady: AsyncStream<Void>.Continuation) async {
        var ready = false
        // The watcher's events wait in a buffer while the loop is busy, and are taken all at once.
        let buffer = StageEventBuffer()
        let pump = Task {
            for await event in watcher.events().cancelOnGracefulShutdown() { buffer.append(event) }
            buffer.finish()
        }
        defer { pump.cancel() }
        while let batch = await buffer.next(), !Task.isShuttingDownGracefully {
            for event in batch {
                await handle(event, ready: &ready, reloads: reloads, becameReady: becameReady)
            }
        }
    }

    /// Hands one (merged) watcher event to the loop. A full scan is waited for (until the loop has
    /// taken it in), so that READY=1 follows the first scan's plan.
    func handle(
        _ event: StageEvent, ready: inout Bool, reloads: PendingReloads, becameReady: AsyncStream<Void>.Continuation
    ) async {
        switch event {
        case .changed(let names):
            loop.send(.stageChanged(names))
        case .rescan(let snapshot):
            await loop.fullScan(Set(snapshot.files.keys), changed: snapshot.changed)
            if !ready {
                ready = true
                try? notifier.ready()
                becameReady.yield()
                logger.info("floed ready: stage \(settings.stageDirectory), socket \(settings.socketPath)")
            } else if snapshot.reason == .requested || snapshot.reason == .directoryRestored, reloads.finish() {
                try? notifier.ready()
                logger.info("stage rescanned after SIGHUP")
            }
        case .problem(let error):
            logger.error("stage: \(error)")
            // A requested rescan that found no directory is finished too (the problem is logged).
            if ready, reloads.finish() {
                try? notifier.ready()
            }
        }
    }
}

/// SIGHUPs whose rescan has not been processed yet.
final class PendingReloads: Sendable {
    private let count = Mutex(0)

    /// A reload was asked for.
    func begin() {
        count.withLock { $0 += 1 }
    }

    /// A requested rescan was processed: true when a reload was pending (all pending ones are done,
    /// since one rescan covers them all).
    func finish() -> Bool {
        count.withLock { count in
            defer { count = 0 }
            return count > 0
        }
    }
}
