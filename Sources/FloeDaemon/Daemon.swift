import FloeAPI
import FloeRuntime
import FloeSpec
import FloeSystemd
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// floed: watches the stage, reconciles, and serves the control API until SIGTERM/SIGINT.
public enum Daemon {
    /// Runs the daemon in the foreground. Returns after a graceful shutdown; user instances keep
    /// running (the next floed finds them).
    public static func run(config: FloedConfig, environment: [String: String], logger: Logger) async throws {
        let settings = DaemonSettings(config: config, environment: environment)
        try prepareDirectories(settings)
        let notifier = SystemdNotifier(environment: environment)
        let runtime = ProcessRuntime(logger: logger)
        let prober = HTTPProber()
        let reconciler = try Reconciler(settings: settings, runtime: runtime, prober: prober, logger: logger)
        await reconciler.start()
        let watcher = StageWatcher(directory: settings.stageDirectory, rescanInterval: settings.rescanInterval)
        let router = ControlAPI.router(reconciler: reconciler, settings: settings, rescan: { watcher.rescanNow() })
        try removeStaleSocket(settings.socketPath)
        let app = Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: settings.socketPath), serverName: "floed"),
            onServerRunning: { _ in
                chmod(settings.socketPath, 0o660)
            },
            logger: logger)
        let stage = StageService(
            watcher: watcher, reconciler: reconciler, notifier: notifier, logger: logger, settings: settings)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: stage)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try? await prober.shutdown()
    }

    static func prepareDirectories(_ settings: DaemonSettings) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: settings.stageDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(
            atPath: settings.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let socketDirectory = (settings.socketPath as NSString).deletingLastPathComponent
        try fm.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
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
    public var description: String {
        switch self {
        case .alreadyRunning(let path):
            "another floed already answers on \(path); stop it first, or give this one another --socket and --state-dir"
        }
    }
}

/// Feeds stage events to the reconciler, handles SIGHUP (rescan) and tells systemd how things are.
struct StageService: Service {
    let watcher: StageWatcher
    let reconciler: Reconciler
    let notifier: SystemdNotifier
    let logger: Logger
    let settings: DaemonSettings

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                    logger.info("SIGHUP: rescanning the stage")
                    try? notifier.reloading()
                    watcher.rescanNow()
                }
            }
            group.addTask {
                // The watchdog is fed from the reconciler's own loop, so a stuck loop is caught.
                guard let interval = notifier.watchdogInterval else { return }
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    _ = await reconciler.summary()
                    try? notifier.watchdog()
                    try? await Task.sleep(for: interval)
                }
            }
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .seconds(10))
                    await reconciler.enforceLogLimits()
                }
            }
            var ready = false
            for await event in watcher.events().cancelOnGracefulShutdown() {
                switch event {
                case .changed(let names):
                    await reconciler.stageChanged(names)
                case .rescan(let snapshot):
                    await reconciler.fullScan(Set(snapshot.files.keys), changed: snapshot.changed)
                    if !ready {
                        ready = true
                        try? notifier.ready()
                        logger.info("floed ready: stage \(settings.stageDirectory), socket \(settings.socketPath)")
                    } else if snapshot.reason == .requested {
                        try? notifier.ready()
                    }
                case .problem(let error):
                    logger.error("stage: \(error)")
                }
                try? notifier.status(await reconciler.summary())
            }
            try? notifier.stopping()
            watcher.finish()
            await reconciler.shutdown()
            group.cancelAll()
        }
    }
}
