/// A compute pool's state, as SHOW COMPUTE POOLS shows it.
public enum PoolState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Running, but fewer than MIN_NODES nodes are up yet.
    case starting = "STARTING"
    /// At least one service or job instance is placed on it.
    case active = "ACTIVE"
    /// Its nodes are up and nothing is placed on them.
    case idle = "IDLE"
    /// It has no nodes; work placed on it resumes it when it has AUTO_RESUME.
    case suspended = "SUSPENDED"
    /// Idle nodes above MIN_NODES (or nodes above MAX_NODES) are being removed.
    case resizing = "RESIZING"
    /// It is suspending: its nodes are being removed.
    case stopping = "STOPPING"
}
