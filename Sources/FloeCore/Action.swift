import FloeSpec
import Foundation

/// Why an instance is stopped.
public enum StopReason: String, Sendable, Hashable, Codable {
    case scaledDown = "scaled down"
    case upgrade = "upgrade"
    case removed = "file removed"
    case cancelled = "job cancelled"
    case rerun = "job changed; running it again"
    case retry = "job replica retry"
    case suspended = "service suspended"
}

/// One step the planner asks the executor to take.
public enum Action: Sendable, Hashable {
    /// Add node `index` to a pool.
    case addNode(NodeRef)
    /// Remove an idle node from a pool.
    case removeNode(NodeRef)
    /// Create an instance record on a node (its containers start with ``startContainer``).
    case place(InstanceKey, digest: String, node: NodeRef, attempt: Int)
    /// Create or update an instance record that cannot be placed, with the reason.
    case unschedulable(InstanceKey, digest: String, message: String)
    /// Start (or restart after backoff) one container.
    case startContainer(InstanceKey, container: String)
    /// A container's liveness probe failed too often: stop it; it restarts by the usual rules.
    case restartContainer(InstanceKey, container: String)
    /// Stop every container of an instance.
    case stopInstance(InstanceKey, StopReason)
    /// An instance is stopped and no longer wanted: drop its record.
    case forgetInstance(InstanceKey)
    /// A job begins a new run.
    case startJobRun(ObjectName, digest: String)
    /// A job's run ended.
    case finishJobRun(ObjectName, JobRun.Result)
    /// A removed job's history is dropped (retention over).
    case forgetJob(ObjectName)
    /// A service's rolling upgrade is stuck (or unstuck when the message is nil).
    case setUpgradeBlocked(ObjectName, String?)
    /// A pool without work for AUTO_SUSPEND_SECS (or created with INITIALLY_SUSPENDED) suspends:
    /// its nodes are removed and it gets none until it resumes.
    case suspendPool(ObjectName, PoolSuspension)
    /// A suspended pool resumes: it gets MIN_NODES nodes again.
    case resumePool(ObjectName, PoolResumption)
    /// A pool is idle from `since` on (nil: work is placed on it again).
    case setPoolIdle(ObjectName, since: Date?)
    /// A removed pool with no nodes left: drop what floe remembers of it.
    case forgetPool(ObjectName)
    /// A service suspends: its instances stop and none start until it resumes.
    case suspendService(ObjectName, ServiceSuspension)
    /// A suspended service resumes: its instances start again.
    case resumeService(ObjectName)
    /// A service's AUTO_SUSPEND_SECS counts from `at` (the planner starts the clock with it).
    case setServiceActive(ObjectName, at: Date)
    /// A removed service with no instances left: drop what floe remembers of it.
    case forgetService(ObjectName)
}

extension Action {
    /// The service or job the action is about; nil for pool and node actions.
    public var object: ObjectName? {
        switch self {
        case .place(let key, _, _, _), .unschedulable(let key, _, _), .startContainer(let key, _),
            .restartContainer(let key, _), .stopInstance(let key, _), .forgetInstance(let key):
            key.object
        case .startJobRun(let name, _), .finishJobRun(let name, _), .forgetJob(let name),
            .setUpgradeBlocked(let name, _), .suspendService(let name, _), .resumeService(let name),
            .setServiceActive(let name, _), .forgetService(let name):
            name
        case .addNode, .removeNode, .suspendPool, .resumePool, .setPoolIdle, .forgetPool:
            nil
        }
    }
}

/// What the planner returns: actions, and when it wants to be asked again at the latest.
public struct Plan: Sendable, Hashable {
    public var actions: [Action]
    /// The next moment something becomes due (a backoff ends, a deadline passes); nil = only on events.
    public var wakeAt: Date?
    public init(actions: [Action] = [], wakeAt: Date? = nil) {
        self.actions = actions
        self.wakeAt = wakeAt
    }
}
