import Glibc
import SystemPackage

/// The watcher's thread: owns the inotify instance, the change tracker and the last reported view of the
/// directory. Not Sendable: created and run on one dedicated thread, talked to through ``StageWatchControl``.
final class StageWatchLoop {
    typealias Instant = ContinuousClock.Instant

    let directory: String
    let rescanInterval: Duration
    let control: StageWatchControl
    let emit: (StageEvent) -> Void

    private let clock = ContinuousClock()
    private var tracker: StageChangeTracker
    private var inotify: Inotify?
    private var watch: Int32?
    private var watchedIdentity: StageDirectoryScanner.DirectoryIdentity?
    /// What the watcher last reported, name -> stat; nil before the first successful scan.
    private var known: [String: StageFileStat]?
    /// The directory problem last reported, so it is reported once, not at every retry.
    private var directoryProblem: StageWatchError?
    /// The inotify problem, carried in snapshots while it lasts.
    private var notificationsProblem: StageWatchError?
    private var nextScan: Instant
    private var pendingScan: StageSnapshot.Reason?

    /// How long a write may stay quiet, unclosed, before a scan treats it as finished.
    static let abandonedWriteAge: Duration = .seconds(5)
    /// The longest time between rescans (longer ones are shortened to it).
    static let longestRescanInterval: Duration = .seconds(86_400)
    /// How long a removal waits at least before it is reported (see ``StageChangeTracker``).
    static let removalSettle: Duration = .milliseconds(100)
    /// How often a missing directory (or a missing inotify) is retried, at most.
    static let retryInterval: Duration = .seconds(1)

    init(
        directory: String,
        rescanInterval: Duration,
        settle: Duration,
        control: StageWatchControl,
        emit: @escaping (StageEvent) -> Void
    ) {
        self.directory = directory
        self.rescanInterval = min(max(rescanInterval, .milliseconds(10)), Self.longestRescanInterval)
        self.control = control
        self.emit = emit
        let settle = min(max(settle, .zero), .seconds(60))
        tracker = StageChangeTracker(
            settle: settle,
            maximumDelay: max(settle * 20, .milliseconds(250)),
            removalSettle: max(settle, Self.removalSettle)
        )
        nextScan = clock.now
    }

    /// Runs until ``StageWatchControl/requestStop()``; then closes the inotify descriptor.
    func run() {
        defer {
            inotify = nil
            control.close()
        }
        scan(.initial)
        while true {
            let requests = control.takeRequests()
            if requests.stop { return }
            if requests.rescan {
                scan(.requested)
            } else if let reason = pendingScan {
                scan(reason)
            } else if clock.now >= nextScan {
                scan(.periodic)
            }
            flush(at: clock.now)
            waitForActivity()
        }
    }

    // MARK: Waiting

    private func waitForActivity() {
        var deadline = nextScan
        if pendingScan != nil { deadline = clock.now }
        if let due = tracker.nextDeadline { deadline = min(deadline, due) }
        var descriptors: [pollfd] = []
        if control.wakeReader >= 0 {
            descriptors.append(pollfd(fd: control.wakeReader, events: Int16(POLLIN), revents: 0))
        } else {
            // No wake socket: look at the requests at least every 50 ms.
            deadline = min(deadline, clock.now + .milliseconds(50))
        }
        if let inotify {
            descriptors.append(pollfd(fd: inotify.descriptor, events: Int16(POLLIN), revents: 0))
        }
        let result = poll(&descriptors, nfds_t(descriptors.count), Self.milliseconds(until: deadline, from: clock.now))
        guard result > 0 else { return }
        for descriptor in descriptors where descriptor.revents != 0 {
            if descriptor.fd == control.wakeReader {
                control.drain()
            } else if let inotify, descriptor.fd == inotify.descriptor {
                handle(inotify.readAvailable())
            }
        }
    }

    /// A `poll()` timeout: milliseconds from `now` to `deadline`, rounded up, at least 0.
    static func milliseconds(until deadline: Instant, from now: Instant) -> Int32 {
        let wait = deadline - now
        guard wait > .zero else { return 0 }
        let (seconds, attoseconds) = wait.components
        guard seconds < Int64(Int32.max) / 1000 else { return Int32.max }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    // MARK: inotify events

    private func handle(_ events: [InotifyEvent]) {
        for event in events {
            if event.has(IN_Q_OVERFLOW) {
                pendingScan = pendingScan ?? .overflow
                continue
            }
            guard let watch, event.watch == watch else { continue }
            if event.has(IN_DELETE_SELF) || event.has(IN_MOVE_SELF) || event.has(IN_UNMOUNT) || event.has(IN_IGNORED) {
                lostWatch()
                continue
            }
            guard let name = event.name, !name.isEmpty, !event.has(IN_ISDIR), StageWatcher.isStageFile(name) else {
                continue
            }
            let now = clock.now
            if event.has(IN_CREATE) {
                switch StageDirectoryScanner.createdKind(directory, name: name) {
                case .newFile: record(.writeStarted, name, now)
                case .link: record(.linked, name, now)
                case .other: break
                }
            }
            if event.has(IN_MODIFY) { record(.writeStarted, name, now) }
            if event.has(IN_ATTRIB) { record(.attributesChanged, name, now) }
            if event.has(IN_CLOSE_WRITE) { record(.writeCompleted, name, now) }
            if event.has(IN_MOVED_FROM) || event.has(IN_DELETE) { record(.removed, name, now) }
            if event.has(IN_MOVED_TO) { record(.renamedIn, name, now) }
        }
    }

    private func record(_ activity: StageChangeTracker.Activity, _ name: String, _ now: Instant) {
        switch tracker.record(activity, on: name, at: now) {
        case .deferred:
            break
        case .reportNow:
            report([name])
        case .absorbed:
            refresh(name)
        }
    }

    /// The directory was deleted, moved or unmounted: drop the watch and look for it again at once.
    private func lostWatch() {
        if let watch { inotify?.removeWatch(watch) }
        watch = nil
        watchedIdentity = nil
        tracker.reset()
        pendingScan = .directoryRestored
    }

    // MARK: Reporting

    private func flush(at now: Instant) {
        let due = tracker.takeDue(at: now)
        if !due.isEmpty { report(due) }
    }

    /// Refreshes the stats of `names` and reports them, leaving out names that neither existed before nor
    /// exist now (a temporary file with a stage name, created and deleted within one batch).
    private func report(_ names: Set<String>) {
        guard var view = known else { return }
        var reported: Set<String> = []
        for name in names {
            let current = StageDirectoryScanner.fileStat(directory, name: name)
            if current != nil || view[name] != nil { reported.insert(name) }
            view[name] = current
        }
        known = view
        if !reported.isEmpty { emit(.changed(reported)) }
    }

    private func refresh(_ name: String) {
        known?[name] = StageDirectoryScanner.fileStat(directory, name: name)
    }

    // MARK: Scanning

    /// Makes sure inotify watches the directory as it is now; records why not otherwise.
    private func establishWatch() {
        if inotify == nil {
            do {
                inotify = try Inotify()
            } catch {
                notificationsProblem = .notificationsUnavailable(directory, error)
                return
            }
        }
        guard let inotify, case .success(let identity) = StageDirectoryScanner.identity(of: directory) else { return }
        if watch != nil, identity == watchedIdentity { return }
        if let watch { inotify.removeWatch(watch) }
        watch = nil
        do {
            watch = try inotify.addWatch(directory)
            watchedIdentity = identity
            notificationsProblem = nil
        } catch {
            watchedIdentity = nil
            if error != .noSuchFileOrDirectory && error != .notDirectory && error != .permissionDenied {
                notificationsProblem = .notificationsUnavailable(directory, error)
            }
        }
    }

    /// Lists the directory, compares it with what was reported, and emits a snapshot (or a problem).
    private func scan(_ requested: StageSnapshot.Reason) {
        pendingScan = nil
        establishWatch()
        let files: [String: StageFileStat]
        switch StageDirectoryScanner.list(directory) {
        case .failure(let error):
            let problem = StageWatchError.directoryUnavailable(directory, error)
            // Reported once, and again when a rescan is asked for.
            if problem != directoryProblem || requested == .requested {
                directoryProblem = problem
                emit(.problem(problem))
            }
            scheduleNextScan(retrying: true)
            return
        case .success(let listed):
            files = listed
        }
        let reason: StageSnapshot.Reason = directoryProblem != nil ? .directoryRestored : requested
        directoryProblem = nil
        scheduleNextScan(retrying: watch == nil)
        guard var view = known else {
            known = files
            let snapshot = StageSnapshot(
                reason: .initial,
                files: files,
                changed: Set(files.keys),
                problem: notificationsProblem
            )
            emit(.rescan(snapshot))
            return
        }
        let now = clock.now
        tracker.finishWrites(quietSince: now - Self.abandonedWriteAge, at: now)
        let unsettled = tracker.unsettled
        var changed: Set<String> = []
        for name in Set(files.keys).union(view.keys) where !unsettled.contains(name) && files[name] != view[name] {
            changed.insert(name)
            view[name] = files[name]
        }
        known = view
        emit(
            .rescan(
                StageSnapshot(
                    reason: reason,
                    files: view,
                    changed: changed,
                    settling: unsettled,
                    problem: notificationsProblem
                )
            )
        )
    }

    private func scheduleNextScan(retrying: Bool) {
        nextScan = clock.now + (retrying ? min(rescanInterval, Self.retryInterval) : rescanInterval)
    }
}
