import Foundation

/// What SHOW COMPUTE POOLS shows of one pool, derived from the world (see ``StatusReport/pool(_:spec:world:)``).
public struct PoolStatus: Sendable, Hashable {
    public var state: PoolState
    /// Services with an instance placed on the pool.
    public var numServices: Int
    /// Jobs with a replica placed on the pool that has not finished.
    public var numJobs: Int
    /// Nodes with work placed on them.
    public var activeNodes: Int
    /// Nodes without work.
    public var idleNodes: Int
    /// Since when nothing is placed on the pool (nil while work is, or while it is suspended).
    public var idleSince: Date?
    /// When the pool last suspended.
    public var suspendedAt: Date?
    /// When the pool last resumed.
    public var resumedAt: Date?

    public init(
        state: PoolState, numServices: Int = 0, numJobs: Int = 0, activeNodes: Int = 0, idleNodes: Int = 0,
        idleSince: Date? = nil, suspendedAt: Date? = nil, resumedAt: Date? = nil
    ) {
        self.state = state
        self.numServices = numServices
        self.numJobs = numJobs
        self.activeNodes = activeNodes
        self.idleNodes = idleNodes
        self.idleSince = idleSince
        self.suspendedAt = suspendedAt
        self.resumedAt = resumedAt
    }
}
