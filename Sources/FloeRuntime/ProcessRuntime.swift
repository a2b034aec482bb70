import Logging
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded default runtime: each container is a host process (Linux).
///
/// - Each container is started in a new session, so it leads its own process group (pgid = pid) and has
///   no controlling terminal: Ctrl-C on floed's terminal does not reach it.
/// - Its stdin is `/dev/null`; its stdout and stderr are `launch.logFile`, opened by floed and written
///   by the process itself (see ``LogFiles``).
/// - Its environment is exactly `launch.environment`.
/// - It is not tied to floed's life (no parent-death signal): floed may exit or restart and the
///   container keeps running; a later floed finds it again with ``isAlive(_:)`` and ends it with
///   ``stop(_:grace:)``.
/// - `launch.user` is applied (uid, gid, supplementary groups `user.groups`, or just the gid) only when floed runs
///   as root and it differs from floed's own; otherwise it is ignored and the container runs as floed's user.
///   The switch is made by `setpriv` exec'ing the program (see ``switchingUser(_:executable:arguments:)``),
///   so the container's `argv[0]` is then the program's resolved path.
/// - With `launch.networkNamespace`, the container is started as `ip netns exec NAME [setpriv ...] PROGRAM
///   ARGS` (see ``NamespaceLaunch``): `ip` and `setpriv` replace themselves with the program, so the
///   handle's pid is the program's and stopping works as without a namespace. `argv[0]` is then the
///   resolved path of the program.
///
/// Limit: processes are tracked by process group, session and parentage (read from `/proc`), not by
/// cgroup. A descendant that calls `setsid()` and whose parent has already exited (a classic
/// double-forking daemon) is invisible to ``stop(_:grace:)`` and survives its instance. Closing that
/// gap needs one cgroup v2 directory per container, entered before `exec` (swift-subprocess 1.0 has
/// no hook for `CLONE_INTO_CGROUP`), and killed with `cgroup.kill`; not done yet.
///
/// When the container runs as another user, its log file stays owned by floed's user (mode 0640): the
/// process writes it through the descriptor it inherited, floed serves it to `floectl logs`.
public final class ProcessRuntime: ContainerRuntime {
    let logger: Logger
    /// Containers started by this runtime whose main process has not been reaped yet.
    let children = Mutex<[Int32: ChildRecord]>([:])

    /// How often ``stop(_:grace:)`` looks at the process table while waiting.
    public let pollInterval: Duration

    struct ChildRecord {
        var startTicks: UInt64
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// - Parameters:
    ///   - logger: where unusual events (a process that will not die) are reported.
    ///   - pollInterval: how often ``stop(_:grace:)`` looks at the process table while waiting.
    public init(logger: Logger = Logger(label: "floe.runtime"), pollInterval: Duration = .milliseconds(25)) {
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// True when floed runs as root, the only case in which `launch.user` is honoured.
    public static var isPrivileged: Bool { geteuid() == 0 }

    public func start(
        _ launch: ContainerLaunch, onExit: @escaping @Sendable (ContainerExit) -> Void
    ) async throws(ContainerStartError) -> ContainerHandle {
        guard let program = launch.argv.first else { throw .executableNotFound("") }
        var info = stat()
        guard stat(launch.workingDirectory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .workingDirectoryMissing(launch.workingDirectory)
        }
        let executable = try ExecutableLookup.resolve(
            program, workingDirectory: launch.workingDirectory, environment: launch.environment)
        let logDescriptor = try LogFiles.openForNewRun(path: launch.logFile)

        var options = PlatformOptions()
        options.createSession = true
        var spawned = (executable: executable, argv0: program, arguments: Array(launch.argv.dropFirst()))
        let switchTo = launch.user.flatMap { Self.isPrivileged && !Self.isCurrentIdentity($0) ? $0 : nil }
        if let namespace = launch.networkNamespace {
            let wrapped = try NamespaceLaunch.argv(
                namespace: namespace, user: switchTo, executable: executable, arguments: spawned.arguments)
            spawned = (wrapped[0], wrapped[0], Array(wrapped.dropFirst()))
        } else if let user = switchTo {
            if let wrapped = Self.switchingUser(user, executable: executable, arguments: spawned.arguments) {
                spawned = (wrapped.executable, wrapped.executable, wrapped.arguments)
            } else {
                options.userID = user.uid
                options.groupID = user.gid
                options.supplementaryGroups = user.groups.isEmpty ? [user.gid] : user.groups
            }
        }
        let configuration = Configuration(
            executable: .path(FilePath(spawned.executable)),
            arguments: Arguments(executablePathOverride: spawned.argv0, remainingValues: spawned.arguments),
            environment: .custom(Self.environmentEntries(launch.environment)),
            workingDirectory: FilePath(launch.workingDirectory),
            platformOptions: options
        )

        let outcome: StartOutcome = await withCheckedContinuation { continuation in
            let once = OnceContinuation(continuation)
            Task.detached { [self] in
                await self.run(
                    configuration, program: program, logDescriptor: logDescriptor, once: once, onExit: onExit)
            }
        }
        switch outcome {
        case .started(let handle): return handle
        case .failed(let error): throw error
        }
    }

    /// Runs one container to its end: spawns it, reports its handle through `once`, waits for its exit,
    /// then calls `onExit` and wakes ``stop(_:grace:)`` callers.
    private func run(
        _ configuration: Configuration, program: String, logDescriptor: Int32, once: OnceContinuation,
        onExit: @escaping @Sendable (ContainerExit) -> Void
    ) async {
        var startedPID: Int32?
        do {
            let result = try await Subprocess.run(
                configuration,
                input: .none,
                output: .fileDescriptor(FileDescriptor(rawValue: logDescriptor), closeAfterSpawningProcess: true),
                error: .combinedWithOutput
            ) { execution in
                let pid = execution.processIdentifier.value
                // The child cannot have been reaped yet (that happens after this closure), so its stat exists.
                let ticks = ProcessTable.stat(pid: pid)?.startTicks ?? 0
                self.children.withLock { $0[pid] = ChildRecord(startTicks: ticks) }
                startedPID = pid
                once.resume(.started(ContainerHandle(pid: pid, processGroup: pid, startTicks: ticks)))
            }
            let exit: ContainerExit
            switch result.terminationStatus {
            case .exited(let code): exit = ContainerExit(exitCode: code, signal: nil)
            case .signaled(let signal): exit = ContainerExit(exitCode: nil, signal: signal)
            }
            finish(pid: result.processIdentifier.value, exit: exit, onExit: onExit)
        } catch {
            guard let pid = startedPID else {
                once.resume(.failed(Self.startError(error, program: program, configuration: configuration)))
                return
            }
            // Started, but watching it failed: wait for it by polling so onExit still comes exactly once.
            logger.error(
                "lost track of a container's exit; polling for it",
                metadata: ["pid": "\(pid)", "error": "\(error)"])
            while ProcessTable.stat(pid: pid).map({ !$0.isZombie }) ?? false {
                try? await Task.sleep(for: .milliseconds(200))
            }
            finish(pid: pid, exit: ContainerExit(exitCode: 255, signal: nil), onExit: onExit)
        }
    }

    private func finish(pid: Int32, exit: ContainerExit, onExit: @Sendable (ContainerExit) -> Void) {
        onExit(exit)
        let waiters = children.withLock { $0.removeValue(forKey: pid)?.waiters ?? [] }
        for waiter in waiters { waiter.resume() }
    }

    /// `KEY=value` entries for swift-subprocess's raw-bytes environment, each NUL-terminated: subprocess
    /// 1.0 copies them with `strdup`, so an entry without its terminator would run into the next bytes.
    static func environmentEntries(_ environment: [String: String]) -> [[UInt8]] {
        environment.sorted { $0.key < $1.key }.map { Array("\($0.key)=\($0.value)".utf8) + [0] }
    }

    /// Maps swift-subprocess's spawn errors; `program` is `argv[0]` as the spec gave it.
    static func startError(_ error: any Error, program: String, configuration: Configuration) -> ContainerStartError {
        guard let error = error as? SubprocessError else { return .spawnFailed("\(error)") }
        switch error.code {
        case .executableNotFound:
            return .executableNotFound(program)
        case .failedToChangeWorkingDirectory:
            return .workingDirectoryMissing(configuration.workingDirectory?.string ?? "")
        default:
            switch error.underlyingError?.rawValue {
            case ENOENT, EACCES, ENOEXEC, ENOTDIR: return .executableNotFound(program)
            default: return .spawnFailed("\(error)")
            }
        }
    }

    public func isAlive(_ handle: ContainerHandle) -> Bool {
        guard let stat = ProcessTable.stat(pid: handle.pid), !stat.isZombie else { return false }
        return stat.startTicks == handle.startTicks
    }
}

/// What `start` learns from the task that spawns the process.
enum StartOutcome: Sendable {
    case started(ContainerHandle)
    case failed(ContainerStartError)
}

/// Resumes a continuation at most once, whichever path gets there first.
final class OnceContinuation: Sendable {
    private let continuation: Mutex<CheckedContinuation<StartOutcome, Never>?>

    init(_ continuation: CheckedContinuation<StartOutcome, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ outcome: StartOutcome) {
        let pending = continuation.withLock { value -> CheckedContinuation<StartOutcome, Never>? in
            defer { value = nil }
            return value
        }
        pending?.resume(returning: outcome)
    }
}
