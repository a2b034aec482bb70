import FloeSpec
import Foundation

/// Identifies one instance: a service (or job) and an instance id.
public struct InstanceKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var object: ObjectName
    public var id: Int
    public init(_ object: ObjectName, _ id: Int) {
        self.object = object
        self.id = id
    }
    public static func < (lhs: InstanceKey, rhs: InstanceKey) -> Bool { (lhs.object, lhs.id) < (rhs.object, rhs.id) }
    public var description: String { "\(object)/\(id)" }
}

/// One node of a compute pool: a slice of the host with the pool's instance family's capacity.
public struct NodeRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var pool: ObjectName
    public var index: Int
    public init(pool: ObjectName, index: Int) {
        self.pool = pool
        self.index = index
    }
    public var description: String { "\(pool)-node-\(index)" }
}

/// What floe knows of one container of one instance.
public struct ContainerState: Sendable, Hashable, Codable {
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Not started yet, or waiting for its restart (see ``nextStartAt``).
        case waiting
        /// Being spawned.
        case starting
        /// Its process runs.
        case running
        /// Its process ended (jobs: for good; services: until the restart).
        case exited
        /// Being stopped on purpose.
        case stopping
    }

    public var name: String
    public var phase: Phase
    public var handle: ContainerHandle?
    /// Readiness: true once the probe succeeded (or at once without a probe).
    public var ready: Bool
    public var readinessFailures: Int
    public var livenessFailures: Int
    /// Liveness failures count only once the probe has answered once.
    public var livenessSeen: Bool
    public var restartCount: Int
    /// Crashes in a row without 10 minutes of running in between (drives the backoff).
    public var consecutiveCrashes: Int
    public var startedAt: Date?
    public var lastExit: ContainerExit?
    public var lastExitAt: Date?
    public var lastRestartAt: Date?
    /// When a waiting container may start (restart backoff); nil = now.
    public var nextStartAt: Date?
    /// Why the last start failed (e.g. the executable does not exist: "Failed to pull image").
    public var startError: String?

    public init(name: String) {
        self.name = name
        self.phase = .waiting
        self.ready = false
        self.readinessFailures = 0
        self.livenessFailures = 0
        self.livenessSeen = false
        self.restartCount = 0
        self.consecutiveCrashes = 0
    }
}

/// What floe knows of one instance.
public struct InstanceState: Sendable, Hashable, Codable {
    public var key: InstanceKey
    /// The digest of the version this instance runs.
    public var digest: String
    /// The version it runs (services keep running old versions during an upgrade).
    public var spec: ServiceSpec
    public var isJob: Bool
    /// nil while unscheduled.
    public var node: NodeRef?
    /// What it reserves on its node.
    public var request: ResourceAmounts
    public var containers: [ContainerState]
    public var createdAt: Date
    /// Set when floe asked it to stop (scale-down, upgrade, removal, cancel).
    public var terminating: Bool
    /// Why floe asked it to stop (nil while ``terminating`` is false).
    public var stopReason: StopReason?
    /// Why it waits (unschedulable, port held by another instance).
    public var pendingMessage: String?
    /// Jobs: which attempt this is (1 = first run).
    public var attempt: Int

    public init(
        key: InstanceKey, digest: String, spec: ServiceSpec, isJob: Bool, node: NodeRef?, request: ResourceAmounts,
        createdAt: Date, attempt: Int = 1
    ) {
        self.key = key
        self.digest = digest
        self.spec = spec
        self.isJob = isJob
        self.node = node
        self.request = request
        self.containers = spec.containers.map { ContainerState(name: $0.name) }
        self.createdAt = createdAt
        self.terminating = false
        self.stopReason = nil
        self.attempt = attempt
    }

    /// True when no container process runs or is being started or stopped.
    public var isQuiet: Bool {
        containers.allSatisfy { $0.phase == .waiting || $0.phase == .exited }
    }

    /// Jobs: every container ended with exit code 0.
    public var succeeded: Bool {
        containers.allSatisfy { $0.phase == .exited && $0.lastExit?.succeeded == true }
    }

    /// Jobs: every container ended and one failed.
    public var failed: Bool {
        let ended = containers.allSatisfy { $0.phase == .exited || ($0.phase == .waiting && $0.startError != nil) }
        return ended && !succeeded
    }

    /// Services: every container runs and is ready.
    public var isReady: Bool {
        !terminating && node != nil && containers.allSatisfy { $0.phase == .running && $0.ready }
    }
}

/// One run of a job (a new run starts when its file changes).
public struct JobRun: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Hashable, Codable {
        case done = "DONE"
        case failed = "FAILED"
        case cancelled = "CANCELLED"
    }
    public var digest: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var result: Result?
    public init(digest: String, startedAt: Date) {
        self.digest = digest
        self.startedAt = startedAt
    }
}

/// Everything floe has observed and decided so far: instances, pool nodes, job runs.
/// The daemon owns one; the planner reads it; the executor changes it.
public struct World: Sendable, Hashable, Codable {
    public var instances: [InstanceKey: InstanceState]
    /// Node indexes of each pool.
    public var nodes: [ObjectName: [Int]]
    public var jobRuns: [ObjectName: JobRun]
    /// Services whose rolling upgrade stopped because a new instance never became READY.
    public var upgradeBlocked: [ObjectName: String]
    /// Suspension and idle time of each pool floe has planned for.
    public var pools: [ObjectName: PoolActivity]
    /// Suspension and traffic of each service floe has planned for.
    public var services: [ObjectName: ServiceActivity]
    /// The objects observed changing since the reconciler last planned (not saved; see
    /// ``ObservationJournal``).
    public var observed = ObservationJournal()

    public init() {
        instances = [:]
        nodes = [:]
        jobRuns = [:]
        upgradeBlocked = [:]
        pools = [:]
        services = [:]
    }

    enum CodingKeys: String, CodingKey {
        case instances, nodes, jobRuns, upgradeBlocked, pools, services
    }

    /// Decodes a saved world; fields added after a world was saved get their empty value, so an
    /// older `world.json` still loads.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        instances = try container.decodeIfPresent([InstanceKey: InstanceState].self, forKey: .instances) ?? [:]
        nodes = try container.decodeIfPresent([ObjectName: [Int]].self, forKey: .nodes) ?? [:]
        jobRuns = try container.decodeIfPresent([ObjectName: JobRun].self, forKey: .jobRuns) ?? [:]
        upgradeBlocked = try container.decodeIfPresent([ObjectName: String].self, forKey: .upgradeBlocked) ?? [:]
        pools = try container.decodeIfPresent([ObjectName: PoolActivity].self, forKey: .pools) ?? [:]
        services = try container.decodeIfPresent([ObjectName: ServiceActivity].self, forKey: .services) ?? [:]
    }

    /// The instances of one object, by id.
    public func instances(of object: ObjectName) -> [InstanceState] {
        instances.values.filter { $0.key.object == object }.sorted { $0.key.id < $1.key.id }
    }
}
