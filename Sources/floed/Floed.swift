import ArgumentParser
import FloeConfig
import FloeDaemon
import FloeSpec
import FloeSystemd
import Foundation
import Logging

/// `floed`: the floe daemon. Runs in the foreground; logs to stderr (or the journal under systemd).
/// Started by ``FloedMain``.
struct Floed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floed",
        abstract: "Watch a stage directory of SPCS spec files and reconcile them into running services and jobs.",
        discussion: """
            SIGTERM/SIGINT: graceful shutdown (instances keep running). SIGHUP: rescan the stage now.
            Every option also has a key in the config file (default /etc/floe/floed.yaml for root).
            """)

    @Option(
        help: "Stage directory to watch (default: /var/lib/floe/stage for root, $XDG_STATE_HOME/floe/stage otherwise).")
    var stage: String?
    @Option(help: "State directory (default: /var/lib/floe for root, $XDG_STATE_HOME/floe otherwise).")
    var stateDir: String?
    @Option(
        help: "Control socket (default: /run/floe/floed.sock for root, $XDG_RUNTIME_DIR/floe/floed.sock otherwise).")
    var socket: String?
    @Option(help: "Config file (default: /etc/floe/floed.yaml for root, $XDG_CONFIG_HOME/floe/floed.yaml otherwise).")
    var config: String?
    @Option(help: "Seconds between full rescans of the stage (the safety net under inotify).")
    var rescanSeconds: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?
    @Option(help: "Log target: auto (journal under systemd, else stderr), journal, stderr.")
    var logTarget: String?
    @Flag(help: "Check the config file, print its diagnostics and exit (0 when it has no errors).")
    var checkConfig = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var overrides = FloedConfigOverrides(
            stage: stage.map(absolute), stateDir: stateDir.map(absolute), socket: socket.map(absolute),
            rescanSeconds: rescanSeconds)
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ValidationError("--log-level takes trace, debug, info, notice, warning, error or critical")
            }
            overrides.logLevel = level
        }
        if let logTarget {
            guard let target = LogTarget(rawValue: logTarget) else {
                throw ValidationError("--log-target takes auto, journal or stderr")
            }
            overrides.logTarget = target
        }
        let (loaded, diagnostics) = FloedConfig.load(
            path: config, environment: environment, isRoot: geteuid() == 0, overrides: overrides)
        for diagnostic in diagnostics {
            FileHandle.standardError.write(Data("\(diagnostic)\n".utf8))
        }
        guard let loaded else {
            FileHandle.standardError.write(Data("floed: the configuration has errors; nothing was started\n".utf8))
            throw ExitCode(1)
        }
        if checkConfig {
            print("configuration OK: stage \(loaded.stage), state \(loaded.stateDir), socket \(loaded.socket)")
            return
        }
        FloeLogging.bootstrap(target: loaded.log.target, level: loaded.log.level, environment: environment)
        let logger = Logger(label: "floed")
        do {
            try await Daemon.run(
                config: loaded, environment: environment, logger: logger, notifier: .forThisProcess())
        } catch {
            logger.critical("floed stopped: \(error)")
            throw ExitCode(1)
        }
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
