/// The coalescing rules of the stage watcher, without I/O or clocks: what happened to which name, when, and
/// which names are due to be reported.
///
/// - A name being written (created as a new regular file, or modified) is held until it is closed.
/// - Completed writes, removals and attribute changes wait for a quiet period (`settle`) with no activity on
///   any stage name, so that an editor's save (rename away, create, write, close, chmod) is one change;
///   continuous activity delays a batch by at most `maximumDelay`.
/// - A removal also waits at least `removalSettle` after it happened: an editor that renames the old file
///   away and then creates the new one must not look like a deletion (which stops the object's instances)
///   when it is descheduled between the two steps.
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
    let removalSettle: Duration

    /// Names with a write in progress -> the time of their last write activity.
    private(set) var writing: [String: Instant] = [:]
    /// Names waiting for the quiet period -> the earliest time each may be reported.
    private var pending: [String: Instant] = [:]
    /// Names reported by a rename -> when, to absorb the writer's following `chmod`.
    private var renamed: [String: Instant] = [:]
    /// When the oldest pending name of the current batch was added (nil after a batch was taken).
    private var batchStart: Instant?
    /// The last activity on any stage name.
    private var lastActivity: Instant?

    init(settle: Duration, maximumDelay: Duration, removalSettle: Duration) {
        self.settle = settle
        self.maximumDelay = maximumDelay
        self.removalSettle = removalSettle
    }

    /// Names that are being written or settling; a full scan leaves them to a later report.
    var unsettled: Set<String> { Set(pending.keys).union(writing.keys) }

    /// Records one activity on `name` at `now`.
    mutating func record(_ activity: Activity, on name: String, at now: Instant) -> Outcome {
        lastActivity = now
        switch activity {
        case .writeStarted:
            writing[name] = now
            return .deferred
        case .writeCompleted:
            writing[name] = nil
            addPending(name, notBefore: now, at: now)
            return .deferred
        case .removed:
            writing[name] = nil
            addPending(name, notBefore: now + removalSettle, at: now)
            return .deferred
        case .linked:
            addPending(name, notBefore: now, at: now)
            return .deferred
        case .attributesChanged:
            if let at = renamed[name], now - at <= settle, pending[name] == nil, writing[name] == nil {
                return .absorbed
            }
            addPending(name, notBefore: pending[name] ?? now, at: now)
            return .deferred
        case .renamedIn:
            writing[name] = nil
            pending[name] = nil
            if pending.isEmpty { batchStart = nil }
            renamed[name] = now
            return .reportNow
        }
    }

    /// When ``takeDue(at:)`` will next return names; nil when nothing is waiting for time alone.
    var nextDeadline: Instant? {
        guard let earliest = pending.filter({ writing[$0.key] == nil }).values.min() else { return nil }
        var quiet = lastActivity.map { $0 + settle } ?? earliest
        if let batchStart { quiet = min(quiet, batchStart + maximumDelay) }
        return max(quiet, earliest)
    }

    /// The names due at `now`: pending, not being written, the quiet period (or the maximum delay) is over,
    /// and their own earliest time has come.
    mutating func takeDue(at now: Instant) -> Set<String> {
        renamed = renamed.filter { now - $0.value <= settle }
        guard let deadline = nextDeadline, deadline <= now else { return [] }
        let due = Set(pending.filter { writing[$0.key] == nil && $0.value <= now }.keys)
        for name in due { pending[name] = nil }
        // Names held for their own time start a new batch now; names held by a write start one when it ends.
        batchStart = pending.contains { writing[$0.key] == nil } ? now : nil
        return due
    }

    /// Treats writes with no activity since `cutoff` as finished (a file created by `link()` after
    /// `O_TMPFILE`, or a writer that never closes): they become pending and are reported after the quiet period.
    mutating func finishWrites(quietSince cutoff: Instant, at now: Instant) {
        for (name, last) in writing where last <= cutoff {
            writing[name] = nil
            addPending(name, notBefore: now, at: now)
        }
    }

    /// Forgets everything (the directory went away; a full scan will follow).
    mutating func reset() {
        writing = [:]
        pending = [:]
        renamed = [:]
        batchStart = nil
        lastActivity = nil
    }

    private mutating func addPending(_ name: String, notBefore: Instant, at now: Instant) {
        if batchStart == nil { batchStart = now }
        pending[name] = notBefore
    }
}
