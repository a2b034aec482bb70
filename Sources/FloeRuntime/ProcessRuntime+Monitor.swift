import CFloeProcess
import FloeCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension ProcessRuntime {
    /// How long floed waits for a monitor to say it started its container.
    static let monitorAnswerTimeoutMilliseconds: Int32 = 10_000

    /// Starts the container under a floe-monitor (see `Sources/floe-monitor/monitor.c`): the run's
    /// directory and its `run` file first, then the monitor, which starts the container, writes the
    /// pids and answers on a pipe. floed watches the monitor; when it ends, the container's status is
    /// read from the exit file the monitor wrote.
    func startMonitored(
        _ launch: ContainerLaunch, runs: RunDirectory, executable: String, argv: [String], environment: [String],
        output: Int32, program: String, onExit: @escaping @Sendable (ContainerExit) -> Void
    ) async throws(ContainerStartError) -> ContainerHandle {
        var code: Int32 = 0
        for attempt in 1...10 {
            let id = newRunID()
            try runs.create(id, launch: launch, at: Date())
            let started = await spawnMonitor(
                runs: runs, id: id, executable: executable, argv: argv, environment: environment,
                directory: launch.workingDirectory, output: output)
            switch started {
            case .success(let (monitor, container)):
                let ticks = ProcessTable.stat(pid: container)?.startTicks ?? 0
                let handle = ContainerHandle(
                    pid: container, processGroup: container, startTicks: ticks, run: id, monitorPID: monitor)
                children.withLock { $0[container] = ChildRecord(startTicks: ticks) }
                watchMonitor(handle, runs: runs, reap: true, onExit: onExit)
                return handle
            case .failure(let error):
                // A monitor killed for not answering may have started the container already: it must
                // not run on without a record.
                if let run = runs.read(id), let pid = run.containerPID, let ticks = run.containerStartTicks,
                    ProcessTable.stat(pid: pid)?.startTicks == ticks
                {
                    kill(-pid, SIGKILL)
                }
                runs.remove(id)
                code = error.code
            }
            guard code == ETXTBSY else { break }
            try? await Task.sleep(for: .milliseconds(10 * attempt))
        }
        throw Self.startError(code, program: program)
    }

    private struct SpawnFailure: Error {
        var code: Int32
    }

    /// Spawns the monitor of run `id` and reads its answer: the monitor's and the container's pids, or
    /// the errno of what failed (the monitor is reaped then).
    private func spawnMonitor(
        runs: RunDirectory, id: String, executable: String, argv: [String], environment: [String],
        directory: String, output: Int32
    ) async -> Result<(Int32, Int32), SpawnFailure> {
        var pipe: [Int32] = [-1, -1]
        guard floe_pipe(&pipe) == 0 else { return .failure(SpawnFailure(code: errno)) }
        var monitor: pid_t = 0
        let code = Self.spawnOnce(
            runs.monitor, argv: ["floe-monitor", runs.directory(of: id), executable] + argv,
            environment: environment, directory: directory, output: output, report: pipe[1], pid: &monitor)
        close(pipe[1])
        defer { close(pipe[0]) }
        guard code == 0 else { return .failure(SpawnFailure(code: code)) }
        // The answer is awaited without holding a thread (the monitor execs and forks first); a monitor
        // that does not answer in time is killed, which closes the pipe and ends the wait.
        let readEnd = pipe[0]
        let stuck = monitor
        let timer = Task.detached {
            try await Task.sleep(for: .milliseconds(Int(Self.monitorAnswerTimeoutMilliseconds)))
            kill(stuck, SIGKILL)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !ProcessExitWatcher.shared.whenReadable(readEnd, { continuation.resume() }) { continuation.resume() }
        }
        timer.cancel()
        var kind: Int32 = 0
        var value: Int32 = 0
        let read = floe_read_report(pipe[0], Self.monitorAnswerTimeoutMilliseconds, &kind, &value)
        if read == 0 && kind == Int32(UInt8(ascii: "P")) { return .success((monitor, value)) }
        if read != 0 {
            logger.error(
                "floe-monitor did not say whether it started the container",
                metadata: ["run": "\(id)", "error": "\(String(cString: strerror(read)))"])
            kill(monitor, SIGKILL)
        }
        var status: Int32 = 0
        while waitpid(monitor, &status, 0) < 0 && errno == EINTR {}
        return .failure(SpawnFailure(code: read == 0 ? value : read))
    }

    /// A run name unique across floed's lives: its start time and a counter.
    func newRunID() -> String {
        let number = runNumbers.wrappingAdd(1, ordering: .relaxed).newValue
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return "\(String(now.tv_sec, radix: 36))\(String(now.tv_nsec, radix: 36))-\(String(number, radix: 36))"
    }

    /// Watches the container's monitor; when it ends, reports the container's end as its exit file
    /// says. A monitor that is killed writes no exit file: then the container (if it still runs, an
    /// orphan now) is watched itself, and its end is reported with an unknown status.
    func watchMonitor(
        _ handle: ContainerHandle, runs: RunDirectory, reap: Bool, onExit: @escaping @Sendable (ContainerExit) -> Void
    ) {
        guard let run = handle.run, let monitor = handle.monitorPID else { return }
        let ended: @Sendable (ContainerExit?) -> Void = { [self] _ in
            if let recorded = runs.read(run)?.exit {
                return finished(handle, exit: recorded, onExit: onExit)
            }
            logger.warning(
                "the monitor of a container ended without writing its exit status",
                metadata: ["run": "\(run)", "pid": "\(handle.pid)"])
            if isAlive(handle),
                ProcessExitWatcher.shared.watch(
                    pid: handle.pid, reap: false,
                    onExit: { _ in
                        self.finished(handle, exit: .unknown, onExit: onExit)
                    })
            {
                return
            }
            finished(handle, exit: .unknown, onExit: onExit)
        }
        if !ProcessExitWatcher.shared.watch(pid: monitor, reap: reap, onExit: ended) {
            // The monitor ended before it could be watched (adoption), or pidfds are missing.
            ended(nil)
        }
    }

    private func finished(_ handle: ContainerHandle, exit: ContainerExit, onExit: @Sendable (ContainerExit) -> Void) {
        finish(pid: handle.pid, exit: exit, onExit: onExit)
    }

    /// Takes back a container a previous floed started (see ``ContainerRuntime/adopt(_:onExit:)``).
    public func adopt(_ handle: ContainerHandle, onExit: @escaping @Sendable (ContainerExit) -> Void) -> Adoption {
        guard let runs, let run = handle.run else {
            return .lost(reason: "it was started without a monitor, so how it ends cannot be known")
        }
        guard let record = runs.read(run) else {
            return .lost(reason: "its run record \(runs.directory(of: run)) is gone")
        }
        if let exit = record.exit {
            return .ended(exit, at: record.endedAt)
        }
        guard isAlive(handle) else {
            if let stat = ProcessTable.stat(pid: handle.pid), !stat.isZombie {
                return .lost(
                    reason: "its pid \(handle.pid) now belongs to another process, and its monitor left no exit status")
            }
            return .lost(reason: "process \(handle.pid) ended while floed was down and its monitor left no exit status")
        }
        children.withLock { $0[handle.pid] = ChildRecord(startTicks: handle.startTicks) }
        var watched = handle
        if let monitor = handle.monitorPID, !Self.isMonitor(monitor, of: runs.directory(of: run)) {
            watched.monitorPID = nil
        }
        if watched.monitorPID != nil {
            watchMonitor(watched, runs: runs, reap: false, onExit: onExit)
        } else if !ProcessExitWatcher.shared.watch(
            pid: handle.pid, reap: false,
            onExit: { [self] _ in
                finished(handle, exit: .unknown, onExit: onExit)
            })
        {
            finished(handle, exit: .unknown, onExit: onExit)
        }
        return .running
    }

    /// Every run the runs directory holds (none without one), each with its container's handle when
    /// its process still runs as the run's (its parent is the run's monitor, or it is the recorded
    /// pid with no monitor left).
    public func leftRuns() -> [LeftRun] {
        guard let runs else { return [] }
        let (found, unreadable) = runs.list()
        for id in unreadable { runs.remove(id) }
        return found.map { run in
            guard run.exit == nil, let pid = run.containerPID, let stat = ProcessTable.stat(pid: pid), !stat.isZombie,
                let monitor = run.monitorPID
            else { return LeftRun(run: run, handle: nil) }
            let monitorAlive = Self.isMonitor(monitor, of: runs.directory(of: run.id))
            // The process with the recorded pid is the run's container only if it started when the
            // monitor saw it start (or, from a monitor that did not record that, if it is still the
            // monitor's child): a recycled pid is never taken for it.
            let same =
                run.containerStartTicks.map { $0 == stat.startTicks } ?? (monitorAlive && stat.parentPID == monitor)
            guard same else { return LeftRun(run: run, handle: nil) }
            return LeftRun(
                run: run,
                handle: ContainerHandle(
                    pid: pid, processGroup: pid, startTicks: stat.startTicks, run: run.id,
                    monitorPID: monitorAlive ? monitor : nil))
        }
    }

    /// Removes the records of runs `ids` (ended runs whose end floed's saved records now hold).
    public func discardRuns(_ ids: Set<String>) {
        guard let runs else { return }
        for id in ids { runs.remove(id) }
    }

    /// Removes run `id`'s directory now (a left run floed stopped, or one that ended unnamed).
    public func discardRun(_ id: String) {
        runs?.remove(id)
    }

    /// True when `pid` is a floe-monitor of the run directory `directory` (its command line says so).
    static func isMonitor(_ pid: Int32, of directory: String) -> Bool {
        guard let bytes = ProcessTable.readSmallFile("/proc/\(pid)/cmdline") else { return false }
        let words = bytes.split(separator: 0, omittingEmptySubsequences: false)
        return words.count > 2 && String(decoding: words[1], as: UTF8.self) == directory
    }
}

/// A run a previous floed left, as the runtime finds it: with its container's handle while it still
/// runs.
public struct LeftRun: Sendable, Hashable {
    public var run: ContainerRun
    public var handle: ContainerHandle?
    public init(run: ContainerRun, handle: ContainerHandle?) {
        self.run = run
        self.handle = handle
    }
}
