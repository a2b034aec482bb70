import FloeNetwork
import FloeSpec

/// What the daemon needs to run, resolved from the config file and the command line.
public struct DaemonSettings: Sendable {
    public var stageDirectory: String
    public var stateDirectory: String
    public var socketPath: String
    public var rescanInterval: Duration
    public var defaultPoolName: ObjectName
    public var defaultPool: ComputePoolSpec
    public var logSizeLimitBytes: Int
    public var jobRetention: Duration
    /// The environment variables every container gets before image and spec env (PATH, LANG, ...).
    public var baseEnvironment: [String: String]
    /// How instances are networked (see ``FloedConfig/NetworkMode``).
    public var network: FloedConfig.NetworkMode = .host
    /// The instance network's range and bridge (namespace networking only).
    public var networkRange: IPv4Range = FloedConfig.defaultNetworkRange
    public var networkBridge: String = "floe0"

    public init(
        stageDirectory: String, stateDirectory: String, socketPath: String, rescanInterval: Duration = .seconds(20),
        defaultPoolName: ObjectName = ObjectName("DEFAULT_POOL")!,
        defaultPool: ComputePoolSpec = ComputePoolSpec(
            instanceFamily: InstanceFamily.named("CPU_X64_S")!, autoSuspendSecs: 0),
        logSizeLimitBytes: Int = 10 << 20, jobRetention: Duration = .seconds(30 * 24 * 3600),
        baseEnvironment: [String: String] = [:]
    ) {
        self.stageDirectory = stageDirectory
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.rescanInterval = rescanInterval
        self.defaultPoolName = defaultPoolName
        self.defaultPool = defaultPool
        self.logSizeLimitBytes = logSizeLimitBytes
        self.jobRetention = jobRetention
        self.baseEnvironment = baseEnvironment
    }

    /// Where one container's log goes: `<state>/logs/<OBJECT>/<instance>/<container>.log`.
    public func logFile(object: ObjectName, instance: Int, container: String) -> String {
        "\(stateDirectory)/logs/\(object.value)/\(instance)/\(container).log"
    }
}

extension DaemonSettings {
    /// Settings from the loaded configuration; containers get a clean base environment (PATH,
    /// LANG, HOME), never floed's own (no NOTIFY_SOCKET, no secrets of the daemon's).
    public init(config: FloedConfig, environment: [String: String]) {
        var base: [String: String] = [
            "PATH": environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": environment["LANG"] ?? "C.UTF-8",
        ]
        if let home = environment["HOME"] { base["HOME"] = home }
        self.init(
            stageDirectory: config.stage, stateDirectory: config.stateDir, socketPath: config.socket,
            rescanInterval: .seconds(config.rescanSeconds), defaultPoolName: config.defaultPool.name,
            defaultPool: config.defaultPool.spec, logSizeLimitBytes: Int(config.logSizeLimitBytes),
            jobRetention: .seconds(config.jobRetentionDays * 24 * 3600), baseEnvironment: base)
        self.network = config.network
        self.networkRange = config.networkRange
        self.networkBridge = config.networkBridge
    }
}
