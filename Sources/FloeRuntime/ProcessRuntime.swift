import CFloeProcess
import FloeCore
import Logging
import Synchronization

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
/// - It is not tied to floed's life: with a ``RunDirectory`` (floed's case) its parent is a
///   floe-monitor that records its run (pids, then exit status and time), so floed may exit or restart
///   and the container keeps running; a later floed finds the runs with ``leftRuns()`` and takes
///   them back with ``adopt(_:onExit:)`` (see `ProcessRuntime+Monitor.swift`). Without one (unit
///   tests), the container is floed's own child and a later floed can only stop it.
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
/// gap needs one cgroup v2 directory per container, entered before `exec` (`clone3` with
/// `CLONE_INTO_CGROUP`), and killed with `cgroup.kill`; not done yet.
///
/// Monitors (or, without a run directory, the containers themselves) are spawned with `posix_spawn`
/// (CFloeProcess: new session, signal mask and handlers reset, no descriptor of floed inherited) and
/// watched through pidfds by ``ProcessExitWatcher``, one thread for all of them. swift-subprocess, which floed uses for its short-lived commands (`ip`,
/// `nft`), keeps a task per child that wakes every second while the child runs: fine for a command,
/// most of an idle floed's CPU with 1,000 containers.
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

    /// Where each run's floe-monitor keeps its records; nil: containers are floed's own children
    /// and are neither adopted nor told apart after floed restarts (unit tests).
    public let runs: RunDirectory?
    /// Names runs uniquely within this floed's life (with its start time, across lives).
    let runNumbers = Atomic<Int>(0)

    /// - Parameters:
    ///   - logger: where unusual events (a process that will not die) are reported.
    ///   - pollInterval: how often ``stop(_:grace:)`` looks at the process table while waiting.
    ///   - runs: where containers' monitors keep their records (floed: `STATE_DIR/runs`); nil to start
    ///     containers as floed's own children, without a monitor.
    public init(
        logger: Logger = Logger(label: "floe.runtime"), pollInterval: Duration = .milliseconds(25),
        runs: RunDirectory? = nil
    ) {
        self.logger = logger
        self.pollInterval = pollInterval
        self.runs = runs
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
        var spawned = (executable: executable, argv0: program, arguments: Array(launch.argv.dropFirst()))
        let switchTo = launch.user.flatMap { Self.isPrivileged && !Self.isCurrentIdentity($0) ? $0 : nil }
        if let namespace = launch.networkNamespace {
            let wrapped = try NamespaceLaunch.argv(
                namespace: namespace, user: switchTo, executable: executable, arguments: spawned.arguments)
            spawned = (wrapped[0], wrapped[0], Array(wrapped.dropFirst()))
        } else if let user = switchTo {
            guard let wrapped = Self.switchingUser(user, executable: executable, arguments: spawned.arguments) else {
                throw .spawnFailed(
                    "running as uid \(user.uid) needs setpriv: install util-linux (apt-get install util-linux)")
            }
            spawned = (wrapped.executable, wrapped.executable, wrapped.arguments)
        }
        let logDescriptor = try LogFiles.openForNewRun(path: launch.logFile)
        defer { close(logDescriptor) }
        let environment = Self.environmentEntries(launch.environment)
        if let runs {
            return try await startMonitored(
                launch, runs: runs, executable: spawned.executable, argv: [spawned.argv0] + spawned.arguments,
                environment: environment, output: logDescriptor, program: program, onExit: onExit)
        }
        let pid = try await Self.spawn(
            spawned.executable, argv: [spawned.argv0] + spawned.arguments, environment: environment,
            directory: launch.workingDirectory, output: logDescriptor, program: program)
        // The child cannot have been reaped yet (only its watcher reaps it), so its stat exists.
        let ticks = ProcessTable.stat(pid: pid)?.startTicks ?? 0
        children.withLock { $0[pid] = ChildRecord(startTicks: ticks) }
        let watched = ProcessExitWatcher.shared.watch(pid: pid) { [self] exit in
            finish(pid: pid, exit: exit ?? ContainerExit(exitCode: 255, signal: nil), onExit: onExit)
        }
        if !watched {
            logger.warning(
                "cannot watch a container through a pidfd; polling for its exit", metadata: ["pid": "\(pid)"])
            Task.detached { [self] in
                let exit = await Self.pollForExit(pid: pid)
                finish(pid: pid, exit: exit, onExit: onExit)
            }
        }
        return ContainerHandle(pid: pid, processGroup: pid, startTicks: ticks)
    }

    /// Spawns the process (see `floe_spawn`: new session, signals reset, stdin /dev/null, stdout and stderr
    /// on `output`, nothing else inherited) and returns its pid. `program` is `argv[0]` as the spec gave it.
    ///
    /// "Text file busy" (the program is open for writing somewhere, e.g. while it is being copied, or
    /// in another process forked at that moment) is retried for up to about half a second.
    static func spawn(
        _ executable: String, argv: [String], environment: [String], directory: String, output: Int32,
        program: String
    ) async throws(ContainerStartError) -> Int32 {
        var pid: pid_t = 0
        var code: Int32 = 0
        for attempt in 1...10 {
            code = spawnOnce(
                executable, argv: argv, environment: environment, directory: directory, output: output,
                report: -1, pid: &pid)
            guard code == ETXTBSY else { break }
            try? await Task.sleep(for: .milliseconds(10 * attempt))
        }
        if code == 0 { return pid }
        throw startError(code, program: program)
    }

    /// One `floe_spawn`: 0 and `pid` set, or the errno.
    static func spawnOnce(
        _ executable: String, argv: [String], environment: [String], directory: String, output: Int32,
        report: Int32, pid: inout pid_t
    ) -> Int32 {
        withCStrings(argv) { argv in
            withCStrings(environment) { environment in
                floe_spawn(&pid, executable, argv, environment, directory, output, report)
            }
        }
    }

    /// The start error for a failed exec's errno.
    static func startError(_ code: Int32, program: String) -> ContainerStartError {
        switch code {
        case ENOENT, EACCES, ENOEXEC, ENOTDIR, ELOOP: .executableNotFound(program)
        default: .spawnFailed(String(cString: strerror(code)))
        }
    }

    /// `strings` as a NULL-terminated array of C strings for the length of `body`.
    static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }

    /// Waits for child `pid` by polling `waitpid` (only when it cannot be watched through a pidfd).
    static func pollForExit(pid: Int32) async -> ContainerExit {
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                return signal == 0
                    ? ContainerExit(exitCode: (status >> 8) & 0xff, signal: nil)
                    : ContainerExit(exitCode: nil, signal: signal)
            }
            if reaped < 0 && errno != EINTR { return ContainerExit(exitCode: 255, signal: nil) }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    func finish(pid: Int32, exit: ContainerExit, onExit: @Sendable (ContainerExit) -> Void) {
        onExit(exit)
        let waiters = children.withLock { $0.removeValue(forKey: pid)?.waiters ?? [] }
        for waiter in waiters { waiter.resume() }
    }

    /// `KEY=value` entries of the environment, sorted by name.
    static func environmentEntries(_ environment: [String: String]) -> [String] {
        environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    public func isAlive(_ handle: ContainerHandle) -> Bool {
        guard let stat = ProcessTable.stat(pid: handle.pid), !stat.isZombie else { return false }
        return stat.startTicks == handle.startTicks
    }
}
