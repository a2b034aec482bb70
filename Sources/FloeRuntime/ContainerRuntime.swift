import FloeSpec

/// Everything a runtime needs to start one container of one instance.
public struct ContainerLaunch: Sendable, Hashable {
    public var service: ObjectName
    public var instanceID: Int
    public var containerName: String
    /// argv: `command` + `args`, else the image's entrypoint + cmd. `argv[0]` is looked up in PATH
    /// (of `environment`) when it has no `/`; relative paths are relative to `workingDirectory`.
    public var argv: [String]
    /// The complete environment of the process (image env + spec env + SPCS's variables).
    public var environment: [String: String]
    public var workingDirectory: String
    /// Where stdout and stderr go (appended, merged); the previous run's file is kept beside it.
    public var logFile: String
    /// Run as this user (uid, gid) when floed is root; nil = floed's own user.
    public var user: UserIdentity?
    /// Run inside this network namespace (an `ip netns` name); nil = floed's (the host's) network.
    public var networkNamespace: String?

    public init(
        service: ObjectName, instanceID: Int, containerName: String, argv: [String], environment: [String: String],
        workingDirectory: String, logFile: String, user: UserIdentity? = nil, networkNamespace: String? = nil
    ) {
        self.service = service
        self.instanceID = instanceID
        self.containerName = containerName
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.logFile = logFile
        self.user = user
        self.networkNamespace = networkNamespace
    }
}

/// A Unix user and group to run processes as.
public struct UserIdentity: Sendable, Hashable, Codable {
    public var uid: UInt32
    public var gid: UInt32
    /// The supplementary groups (what `initgroups(3)` would set: the user's groups in the group
    /// database, primary group included). Empty: just `gid`.
    public var groups: [UInt32]
    public init(uid: UInt32, gid: UInt32, groups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}

/// A started container: enough to signal it, find it again after floed restarts, and report it.
public struct ContainerHandle: Sendable, Hashable, Codable {
    public var pid: Int32
    /// The process group (= pid: each container leads its own group).
    public var processGroup: Int32
    /// Kernel start time of the process (clock ticks since boot, /proc/PID/stat field 22), so a
    /// recycled pid is never mistaken for this container.
    public var startTicks: UInt64
    public init(pid: Int32, processGroup: Int32, startTicks: UInt64) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTicks = startTicks
    }
}

/// How a container's main process ended.
public struct ContainerExit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Exit status when the process exited; nil when a signal killed it.
    public var exitCode: Int32?
    /// The signal that killed it, if one did.
    public var signal: Int32?
    public init(exitCode: Int32?, signal: Int32?) {
        self.exitCode = exitCode
        self.signal = signal
    }
    /// SPCS's last_exit_code: the exit status, or 128 + signal.
    public var code: Int32 { exitCode ?? (128 + (signal ?? 0)) }
    public var succeeded: Bool { exitCode == 0 }
    public var description: String {
        if let exitCode { return "exited with code \(exitCode)" }
        return "killed by signal \(signal ?? 0)"
    }
}

/// Why a container could not start.
public enum ContainerStartError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The program was not found or is not executable (SPCS: "Failed to pull image").
    case executableNotFound(String)
    /// The working directory does not exist.
    case workingDirectoryMissing(String)
    /// Any other failure to spawn, with the system's words.
    case spawnFailed(String)

    public var description: String {
        switch self {
        case .executableNotFound(let path): "executable '\(path)' not found or not executable"
        case .workingDirectoryMissing(let path): "working directory '\(path)' does not exist"
        case .spawnFailed(let reason): "could not start the process: \(reason)"
        }
    }
}

/// Runs containers. The embedded default is ``ProcessRuntime`` (host processes); an OCI runtime
/// (runc) can follow behind the same protocol.
public protocol ContainerRuntime: Sendable {
    /// Starts a container. `onExit` is called exactly once, when its main process has ended
    /// (whether it exited by itself or was stopped).
    func start(
        _ launch: ContainerLaunch, onExit: @escaping @Sendable (ContainerExit) -> Void
    ) async throws(ContainerStartError) -> ContainerHandle

    /// Stops a container: SIGTERM to its process group, then SIGKILL to the group after `grace`.
    /// Returns once no process of the group is left.
    func stop(_ handle: ContainerHandle, grace: Duration) async

    /// True while the container described by `handle` (pid and start time) is still alive.
    /// Used after floed restarts, for containers it did not start in this run.
    func isAlive(_ handle: ContainerHandle) -> Bool
}
