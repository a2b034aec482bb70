import FloeConfig
import FloeNetwork
import FloeSpec
import Foundation

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
    /// Where ingress listeners bind, which ports they get, how long a request waits for a resume.
    public var ingress = IngressSettings()
    /// The user instances run as when floed is root and a header has no `runAs`.
    public var defaultUser: String = "floe"
    /// The group that may use the control socket (0660); when it does not exist the socket is 0600.
    public var socketGroup: String = "floe"
    /// Directories besides the stage that `image:` files' `directory` may point into.
    public var imageRoots: [String] = []
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

    /// Where the files of one container's `directoryPath` secrets go (a directory owned by the
    /// instance's user, 0700): `<state>/instances/<OBJECT>-<instance>-<container>/secrets`.
    public func secretFilesDirectory(object: ObjectName, instance: Int, container: String) -> String {
        "\(stateDirectory)/instances/\(object.value)-\(instance)-\(container)"
    }

    /// Where one container's log goes: `<state>/logs/<OBJECT>/<instance>/<container>.log`.
    /// Where the containers' monitors keep their runs' records: beside floed's socket (`/run/floe/runs`
    /// by default, a tmpfs: a reboot, which ends every run, clears it, and creating a run's files there
    /// costs no disk work).
    public var runsDirectory: String {
        (socketPath as NSString).deletingLastPathComponent + "/runs"
    }

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
        self.ingress = IngressSettings(
            address: config.ingressAddress, ports: config.ingressPorts,
            resumeTimeout: .seconds(config.ingressResumeSeconds))
        self.defaultUser = config.defaultUser
        self.socketGroup = config.socketGroup
        self.imageRoots = config.imageRoots
        self.network = config.network
        self.networkRange = config.networkRange
        self.networkBridge = config.networkBridge
    }
}
