import Foundation

/// Why a compute pool is suspended.
public enum PoolSuspension: String, Sendable, Hashable, Codable {
    /// The pool file says `initiallySuspended: true`: the pool was created without nodes.
    case initially = "initially suspended"
    /// No service or job instance was placed on it for AUTO_SUSPEND_SECS.
    case idle = "idle"
}

/// Why a suspended compute pool resumes.
public enum PoolResumption: String, Sendable, Hashable, Codable {
    /// Work was placed on it and the pool has AUTO_RESUME.
    case work = "work was placed on it"
    /// `initiallySuspended` was removed from its file.
    case fileChanged = "initiallySuspended was removed from its file"
}

/// What floe remembers of one compute pool besides its nodes: whether it is suspended, and since
/// when nothing runs on it (AUTO_SUSPEND_SECS counts from there).
public struct PoolActivity: Sendable, Hashable, Codable {
    /// Why the pool is suspended; nil while it runs.
    public var suspension: PoolSuspension?
    /// Since when the pool has had no work; nil while it has work, while it is suspended, and for
    /// pools that never suspend (AUTO_SUSPEND_SECS 0).
    public var idleSince: Date?
    /// When the pool was last suspended.
    public var suspendedAt: Date?
    /// When the pool was last resumed.
    public var resumedAt: Date?

    public init(
        suspension: PoolSuspension? = nil, idleSince: Date? = nil, suspendedAt: Date? = nil, resumedAt: Date? = nil
    ) {
        self.suspension = suspension
        self.idleSince = idleSince
        self.suspendedAt = suspendedAt
        self.resumedAt = resumedAt
    }

    /// True while the pool is suspended: it has no nodes and nothing is placed on it.
    public var suspended: Bool { suspension != nil }
}
