/// The stage directory as a ``StageWatcher`` sees it after a full scan.
public struct StageSnapshot: Sendable, Hashable {
    /// Why the scan was made.
    public enum Reason: Sendable, Hashable {
        /// The first successful scan after the watcher started; ``StageSnapshot/files`` is the whole stage.
        case initial
        /// The periodic safety-net scan.
        case periodic
        /// ``StageWatcher/rescanNow()`` (SIGHUP).
        case requested
        /// The kernel's inotify queue overflowed, so events may have been lost.
        case overflow
        /// The directory was missing, moved or replaced, and can be read again.
        case directoryRestored
    }

    /// Why the scan was made.
    public var reason: Reason
    /// Stage file name -> what `stat` said, for every stage file (regular files, symbolic links followed).
    /// Names still being written or settling (see ``settling``) keep their last reported entry.
    public var files: [String: StageFileStat]
    /// Names whose entry differs from what the watcher reported before this scan (appeared, disappeared or
    /// changed, including changes the inotify path missed). For the initial scan: every name in ``files``.
    public var changed: Set<String>
    /// Names with a write in progress or a change still settling; they are reported by a later
    /// ``StageEvent/changed(_:)`` and are not in ``changed``.
    public var settling: Set<String>
    /// A problem that does not stop scans but degrades watching (inotify unavailable: changes are noticed
    /// only by the periodic scans); nil when watching works fully.
    public var problem: StageWatchError?

    /// True for the first successful scan.
    public var isInitial: Bool { reason == .initial }

    public init(
        reason: Reason,
        files: [String: StageFileStat],
        changed: Set<String>,
        settling: Set<String> = [],
        problem: StageWatchError? = nil
    ) {
        self.reason = reason
        self.files = files
        self.changed = changed
        self.settling = settling
        self.problem = problem
    }
}
