import FloeAPI
import FloeCore
import FloeNetwork
import FloeRuntime
import FloeSpec
import FloeTesting
import Foundation
import Logging

@testable import FloeDaemon

/// A reconcile loop with every seam faked: a manual clock, a runtime that runs nothing, a prober that
/// answers from a script (success unless told), a world store in memory and, when asked, a recording
/// network. The stage is a real directory (the loop reads real files).
final class LoopHarness: Sendable {
    let directory: String
    let clock = ManualClock()
    let runtime: FakeContainerRuntime
    let prober: ScriptedProber
    let store: InMemoryWorldStore
    let network: any InstanceNetwork
    let loop: ReconcileLoop
    let queries: ServiceQueries
    let settings: DaemonSettings
    private let running: Task<Void, any Error>

    convenience init(network: any InstanceNetwork = HostNetwork(), world: World? = nil) async throws {
        let directory = NSTemporaryDirectory() + "floe-loop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/stage", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        try await self.init(
            directory: directory, runtime: FakeContainerRuntime(), prober: ScriptedProber(),
            store: InMemoryWorldStore(world: world), network: network)
    }

    /// A second floed after `previous` (stopped with ``stopLoop()``): the same stage, runtime (its
    /// processes still run) and records, or `world` as the records when given (what a floed killed
    /// before its last save left).
    convenience init(takingOver previous: LoopHarness, world: World? = nil, prober: ScriptedProber = ScriptedProber())
        async throws
    {
        try await self.init(
            directory: previous.directory, runtime: previous.runtime, prober: prober,
            store: InMemoryWorldStore(world: world ?? previous.store.saved), network: previous.network)
    }

    private init(
        directory: String, runtime: FakeContainerRuntime, prober: ScriptedProber, store: InMemoryWorldStore,
        network: any InstanceNetwork
    ) async throws {
        self.directory = directory
        self.runtime = runtime
        self.prober = prober
        var settings = DaemonSettings(
            stageDirectory: directory + "/stage", stateDirectory: directory + "/state",
            socketPath: directory + "/floed.sock")
        settings.defaultUser = "root"
        self.settings = settings
        self.store = store
        self.network = network
        var logger = Logger(label: "floe.test")
        logger.logLevel = .critical
        let loop = try ReconcileLoop(
            settings: settings, runtime: runtime, prober: prober, logger: logger, network: network, clock: clock,
            store: store)
        self.loop = loop
        queries = ServiceQueries(loop: loop, settings: settings, clock: clock)
        await loop.restore()
        try await loop.prepareNetwork()
        running = Task { try await loop.run() }
        // A floed started again finds the stage as the one before left it.
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/stage")) ?? [])
        if !names.isEmpty { await scan(changed: names) }
    }

    /// Stops the loop (as floed stops: its instances keep running) and keeps the directory.
    func stopLoop() async {
        loop.stop()
        _ = try? await running.value
    }

    /// Stops the loop and removes the directory.
    func tearDown() async {
        loop.stop()
        _ = try? await running.value
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes a stage file and hands the loop a full scan (as the watcher would).
    func drop(_ name: String, _ text: String) async throws {
        try text.write(toFile: "\(directory)/stage/\(name)", atomically: true, encoding: .utf8)
        await scan(changed: [name])
    }

    /// Removes a stage file and hands the loop a full scan.
    func remove(_ name: String) async throws {
        try FileManager.default.removeItem(atPath: "\(directory)/stage/\(name)")
        await scan(changed: [name])
    }

    func scan(changed: Set<String>) async {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/stage")) ?? [])
        await loop.fullScan(names, changed: changed)
    }

    /// Waits (real time, at most `seconds`) until `condition` holds; false when it never did.
    func until(_ seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return await condition()
    }

    /// The statuses of `name`'s containers, in instance order.
    func statuses(_ name: String) -> [String] {
        ((try? queries.containers(name)) ?? []).map(\.status)
    }

    /// The environment variable `VERSION` of every process running now.
    var runningVersions: [String] {
        runtime.running.map { $0.launch.environment["VERSION"] ?? "" }
    }

    /// Events of `name` with `reason`.
    func events(_ name: String, _ reason: String) -> [EventRecord] {
        loop.events.list(object: name.uppercased(), limit: 10_000).filter { $0.reason == reason }
    }

    /// A service file: `instances` instances of one container (`main`) running `command`, with a
    /// readiness probe on port 8000 when `probe`.
    static func service(
        instances: Int = 1, command: String = "serve", probe: Bool = false, liveness: Bool = false, env: String = "v1"
    ) -> String {
        var text = """
            service:
              minInstances: \(instances)
              stopGraceSeconds: 5
            spec:
              containers:
              - name: main
                image: /floe/test/app:latest
                command: [\(command)]
                env:
                  VERSION: \(env)

            """
        if probe {
            text += """
                    readinessProbe:
                      port: 8000
                      path: /ready

                """
        }
        if liveness {
            text += """
                    livenessProbe:
                      port: 8001
                      path: /alive
                      periodSeconds: 1
                      failureThreshold: 1

                """
        }
        text += """
              endpoints:
              - name: api
                port: 8000

            """
        return text
    }
}
