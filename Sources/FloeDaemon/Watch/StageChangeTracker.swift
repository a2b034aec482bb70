/// The coalescing rules of the stage watcher, without I/O or clocks: what happened to which name, when, and
/// which names are due to be reported.
///
/// - A name being written (created as a new regular file, or modified) is held until it is closed.
/// - Completed writes, removals and attribute changes wait for a quiet period (`settle`) with no activity on
///   any stage name, so that an editor's save (rename away, create, write, close, chmod) is one change;
///   continuous activity delays a batch by at most `maximumDelay`.
/// - A rename into place (`IN_MOVED_TO`) is atomic and complete: it is reported at once, and an attribute
///   change on that name within `settle` (the writer's `chmod`) is absorbed into it.
struct StageChangeTracker {
    typealias Instant = ContinuousClock.Instant

    /// What happened to a name.
    enum Activity: Sendable, Hashable {
        /// A new regular file was created or a file was modified: a write is in progress.
        case writeStarted
        /// A file open for writing was closed.
        case writeCompleted
        /// The name was deleted or renamed away.
        case removed
        /// Mode, owner, times or link count changed.
        case attributesChanged
        /// The name appeared complete: a symbolic link or a hard link was created.
        case linked
        /// A file was renamed onto the name.
        case renamedIn
    }

    /// What the caller should do after recording an activity.
    enum Outcome: Sendable, Hashable {
        /// Nothing now; the name may be reported later by ``takeDue(at:)``.
        case deferred
        /// Report this name now (a rename into place).
        case reportNow
        /// Nothing to report, but refresh the stored stat of the name (an absorbed `chmod`).
        case absorbed
    }

    let settle: Duration
    let maximumDelay: Duration

    /// Names with a write in progress -> the time of their last write activity.
    private(set) var writing: [String: Instant] = [:]
    /// Names waiting for the quiet period.
    private(set) var pending: Set<String> = []
    /// Names reported by a rename -> when, to absorb the writer's following `chmod`.
    private var renamed: [String: Instant] = [:]
    /// When the oldest pending name of the current batch was added (nil after a batch was taken).
    private var batchStart: Instant?
    /// The last activity on any stage name.
    private var lastActivity: Instant?

    init(settle: Duration, maximumDelay: Duration) {
        self.settle = settle
        self.maximumDelay = maximumDelay
    }

    /// Names that are being written or settling; a full scan leaves them to a later report.
    var unsettled: Set<String> { pending.union(writing.keys) }

    /// Records one activity on `name` at `now`.
    mutating func record(_ activity: Activity, on name: String, at now: Instant) -> Outcome {
        lastActivity = now
        switch activity {
        case .writeStarted:
            writing[name] = now
            return .deferred
        case .writeCompleted, .removed:
            writing[name] = nil
            addPending(name, at: now)
            return .deferred
        case .linked:
            addPending(name, at: now)
            return .deferred
        case .attributesChanged:
            if let at = renamed[name], now - at <= settle, !pending.contains(name), writing[name] == nil {
                return .absorbed
            }
            addPending(name, at: now)
            return .deferred
        case .renamedIn:
            writing[name] = nil
            pending.remove(name)
            if pending.isEmpty { batchStart = nil }
            renamed[name] = now
            return .reportNow
        }
    }

    /// When ``takeDue(at:)`` will next return names; nil when nothing is waiting for time alone.
    var nextDeadline: Instant? {
        guard let batchStart, let lastActivity, pending.contains(where: { writing[$0] == nil }) else { return nil }
        return min(lastActivity + settle, batchStart + maximumDelay)
    }

    /// The names due at `now`: pending, not being written, and the quiet period (or the maximum delay) is over.
    mutating func takeDue(at now: Instant) -> Set<String> {
        renamed = renamed.filter { now - $0.value <= settle }
        guard let deadline = nextDeadline, deadline <= now else { return [] }
        let due = pending.filter { writing[$0] == nil }
        pending.subtract(due)
        // Names still held start a new batch when their write completes.
        batchStart = nil
        return due
    }

    /// Treats writes with no activity since `cutoff` as finished (a file created by `link()` after
    /// `O_TMPFILE`, or a writer that never closes): they become pending and are reported after the quiet period.
    mutating func finishWrites(quietSince cutoff: Instant, at now: Instant) {
        for (name, last) in writing where last <= cutoff {
            writing[name] = nil
            addPending(name, at: now)
        }
    }

    /// Forgets everything (the directory went away; a full scan will follow).
    mutating func reset() {
        writing = [:]
        pending = []
        renamed = [:]
        batchStart = nil
        lastActivity = nil
    }

    private mutating func addPending(_ name: String, at now: Instant) {
        if batchStart == nil { batchStart = now }
        pending.insert(name)
    }
}
