import FloeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ProcessRuntime {
    /// How long ``stop(_:grace:)`` keeps waiting after SIGKILL before it gives up and logs an error
    /// (a process stuck in uninterruptible sleep cannot die until the kernel lets it).
    static let killTimeout: Duration = .seconds(10)

    /// The longest pause between two looks at a stopping container's processes.
    static let maxPollInterval: Duration = .milliseconds(200)
    /// How often a stopping container's processes are searched for in all of `/proc` (to find new
    /// members); in between, only the known members are looked at, which is cheap.
    static let fullScanInterval: Duration = .seconds(1)

    /// Stops a container and everything it started.
    ///
    /// SIGTERM goes to the container's process group and to every other process found to belong to it
    /// (same session, or a descendant of a member); then floed watches `/proc` until all of them are
    /// gone or `grace` has passed, and sends SIGKILL to whatever is left. Works for containers started
    /// by a previous floed run too: nothing here relies on being the parent.
    ///
    /// Cost: all of `/proc` is read when the stop begins, about once a second while it waits, and
    /// once more to confirm that nothing is left; in between only the known members' `/proc/<pid>/stat`
    /// are read, with a pause growing from `pollInterval` to 200 ms.
    ///
    /// Returns once no such process is left (zombies count as gone) and, for a container started by
    /// this runtime, after its `onExit` has been called. If the group id has been reused by an
    /// unrelated process (the container's main process is gone and its pid now has another start
    /// time), nothing is signalled.
    public func stop(_ handle: ContainerHandle, grace: Duration) async {
        var members = ContainerMembers(handle: handle)
        _ = members.refresh()
        guard !members.isEmpty else { return await waitForExitReport(handle) }

        let clock = ContinuousClock()
        var interval = pollInterval
        var lastFullScan = clock.now
        /// Waits, then looks again; returns the members found since the last look.
        func look() async -> [Int32] {
            await pause(interval)
            interval = min(interval * 2, max(pollInterval, Self.maxPollInterval))
            let fullScan = clock.now - lastFullScan >= Self.fullScanInterval
            if fullScan { lastFullScan = clock.now }
            return members.update(fullScan: fullScan)
        }

        members.signal(SIGTERM)
        let deadline = clock.now + grace
        while clock.now < deadline, !Task.isCancelled {
            let newcomers = await look()
            if members.isEmpty { return await waitForExitReport(handle) }
            for pid in newcomers { kill(pid, SIGTERM) }
        }

        _ = members.refresh()
        interval = pollInterval
        let killDeadline = clock.now + Self.killTimeout
        while !members.isEmpty {
            members.signal(SIGKILL)
            if clock.now >= killDeadline {
                logger.error(
                    "processes of a container did not end after SIGKILL; giving up on them",
                    metadata: ["pids": "\(members.pids.sorted())", "processGroup": "\(handle.processGroup)"])
                return
            }
            _ = await look()
        }
        await waitForExitReport(handle)
    }

    /// Sleeps for `duration`; when the task is cancelled, still waits (blocking briefly) so that the
    /// loops above do not spin.
    private func pause(_ duration: Duration) async {
        do {
            try await Task.sleep(for: duration)
        } catch {
            let (seconds, attoseconds) = duration.components
            let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
            usleep(useconds_t(max(1_000, min(micros, 1_000_000))))
        }
    }

    /// For a container this runtime started, waits until its main process has been reaped and `onExit`
    /// has been called. Returns at once for other containers.
    func waitForExitReport(_ handle: ContainerHandle) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let registered = children.withLock { records -> Bool in
                guard var record = records[handle.pid], record.startTicks == handle.startTicks else { return false }
                record.waiters.append(continuation)
                records[handle.pid] = record
                return true
            }
            if !registered { continuation.resume() }
        }
    }
}

/// The processes that belong to one container, as far as `/proc` shows: its process group, its session,
/// and the descendants of any member (which catches a child that made its own session while its parent
/// is still alive). Each is remembered with its start time so a recycled pid is never signalled.
struct ContainerMembers {
    let handle: ContainerHandle
    private(set) var tracked: [Int32: UInt64] = [:]
    /// False when the container's pid now belongs to another process, so its group id is not ours.
    private(set) var groupIsOurs = true

    init(handle: ContainerHandle) {
        self.handle = handle
    }

    var isEmpty: Bool { tracked.isEmpty }
    var pids: [Int32] { Array(tracked.keys) }

    /// Looks again: forgets members that ended by reading only their own `/proc/<pid>/stat`, and re-reads
    /// all of `/proc` (``refresh()``) when `fullScan` is set or no member seems left (to be sure).
    /// Returns the pids added.
    mutating func update(fullScan: Bool) -> [Int32] {
        tracked = tracked.filter { pid, ticks in
            guard let stat = ProcessTable.stat(pid: pid) else { return false }
            return !stat.isZombie && stat.startTicks == ticks
        }
        if fullScan || tracked.isEmpty { return refresh() }
        return []
    }

    /// Re-reads all of `/proc`: forgets members that ended, adds new ones. Returns the pids added.
    mutating func refresh() -> [Int32] {
        let table = ProcessTable.all()
        var byPID: [Int32: ProcessStat] = [:]
        var childrenOf: [Int32: [ProcessStat]] = [:]
        for stat in table {
            byPID[stat.pid] = stat
            if !stat.isZombie { childrenOf[stat.parentPID, default: []].append(stat) }
        }
        if let leader = byPID[handle.pid], handle.startTicks != 0, leader.startTicks != handle.startTicks {
            groupIsOurs = false
        }
        tracked = tracked.filter { pid, ticks in
            guard let stat = byPID[pid] else { return false }
            return !stat.isZombie && stat.startTicks == ticks
        }
        let me = getpid()
        var added: [Int32] = []
        func add(_ stat: ProcessStat) -> Bool {
            guard stat.pid > 1, stat.pid != me, tracked[stat.pid] == nil else { return false }
            tracked[stat.pid] = stat.startTicks
            added.append(stat.pid)
            return true
        }
        let group = handle.processGroup
        if groupIsOurs && group > 1 {
            for stat in table where !stat.isZombie && (stat.processGroup == group || stat.session == group) {
                _ = add(stat)
            }
        }
        var queue = Array(tracked.keys)
        while let parent = queue.popLast() {
            for child in childrenOf[parent] ?? [] where add(child) {
                queue.append(child.pid)
            }
        }
        return added
    }

    /// Sends `signal` to the group (when it is ours) and to every tracked member.
    func signal(_ signal: Int32) {
        if groupIsOurs && handle.processGroup > 1 {
            kill(-handle.processGroup, signal)
        }
        for pid in tracked.keys {
            kill(pid, signal)
        }
    }
}
