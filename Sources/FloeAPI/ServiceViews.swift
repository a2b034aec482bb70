/// A row of `SHOW SERVICES` / `floectl services` (and of `floectl jobs`).
public struct ServiceRow: Sendable, Hashable, Codable {
    public var name: String
    /// PENDING, RUNNING, FAILED, DONE, SUSPENDED, DELETING, ...
    public var status: String
    public var computePool: String
    public var isJob: Bool
    public var currentInstances: Int
    public var targetInstances: Int
    public var readyInstances: Int
    public var minInstances: Int
    public var maxInstances: Int
    public var createdOn: String
    public var updatedOn: String
    /// The error of the file's latest version, when it does not validate (the old version runs on).
    public var fileError: String?

    public init(
        name: String, status: String, computePool: String, isJob: Bool, currentInstances: Int, targetInstances: Int,
        readyInstances: Int, minInstances: Int, maxInstances: Int, createdOn: String, updatedOn: String,
        fileError: String? = nil
    ) {
        self.name = name
        self.status = status
        self.computePool = computePool
        self.isJob = isJob
        self.currentInstances = currentInstances
        self.targetInstances = targetInstances
        self.readyInstances = readyInstances
        self.minInstances = minInstances
        self.maxInstances = maxInstances
        self.createdOn = createdOn
        self.updatedOn = updatedOn
        self.fileError = fileError
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case computePool = "compute_pool"
        case isJob = "is_job"
        case currentInstances = "current_instances"
        case targetInstances = "target_instances"
        case readyInstances = "ready_instances"
        case minInstances = "min_instances"
        case maxInstances = "max_instances"
        case createdOn = "created_on"
        case updatedOn = "updated_on"
        case fileError = "file_error"
    }
}

/// `DESCRIBE SERVICE` / `floectl describe`.
public struct ServiceDescription: Sendable, Hashable, Codable {
    public var name: String
    public var status: String
    public var computePool: String
    /// The specification as floe runs it (the file's text of the running version).
    public var spec: String
    public var dnsName: String
    public var currentInstances: Int
    public var targetInstances: Int
    public var minReadyInstances: Int
    public var minInstances: Int
    public var maxInstances: Int
    public var autoResume: Bool
    public var createdOn: String
    public var updatedOn: String
    public var resumedOn: String?
    public var suspendedOn: String?
    public var isJob: Bool
    public var specDigest: String
    public var isUpgrading: Bool
    /// floe's own: the stage file, its diagnostics, and what the reconciler is waiting for.
    public var file: String
    public var diagnostics: [String]
    public var message: String?

    public init(
        name: String, status: String, computePool: String, spec: String, dnsName: String, currentInstances: Int,
        targetInstances: Int, minReadyInstances: Int, minInstances: Int, maxInstances: Int, autoResume: Bool,
        createdOn: String, updatedOn: String, resumedOn: String?, suspendedOn: String?, isJob: Bool,
        specDigest: String, isUpgrading: Bool, file: String, diagnostics: [String], message: String?
    ) {
        self.name = name
        self.status = status
        self.computePool = computePool
        self.spec = spec
        self.dnsName = dnsName
        self.currentInstances = currentInstances
        self.targetInstances = targetInstances
        self.minReadyInstances = minReadyInstances
        self.minInstances = minInstances
        self.maxInstances = maxInstances
        self.autoResume = autoResume
        self.createdOn = createdOn
        self.updatedOn = updatedOn
        self.resumedOn = resumedOn
        self.suspendedOn = suspendedOn
        self.isJob = isJob
        self.specDigest = specDigest
        self.isUpgrading = isUpgrading
        self.file = file
        self.diagnostics = diagnostics
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case name, status, spec, file, diagnostics, message
        case computePool = "compute_pool"
        case dnsName = "dns_name"
        case currentInstances = "current_instances"
        case targetInstances = "target_instances"
        case minReadyInstances = "min_ready_instances"
        case minInstances = "min_instances"
        case maxInstances = "max_instances"
        case autoResume = "auto_resume"
        case createdOn = "created_on"
        case updatedOn = "updated_on"
        case resumedOn = "resumed_on"
        case suspendedOn = "suspended_on"
        case isJob = "is_job"
        case specDigest = "spec_digest"
        case isUpgrading = "is_upgrading"
    }
}

/// A row of `SHOW SERVICE CONTAINERS IN SERVICE`.
public struct ContainerRow: Sendable, Hashable, Codable {
    public var serviceName: String
    public var serviceStatus: String
    public var instanceId: String
    public var instanceStatus: String
    public var containerName: String
    public var status: String
    public var message: String
    public var imageName: String
    public var imageDigest: String
    public var restartCount: Int
    public var startTime: String?
    public var lastExitCode: Int?
    public var lastRestartTime: String?

    public init(
        serviceName: String, serviceStatus: String, instanceId: String, instanceStatus: String, containerName: String,
        status: String, message: String, imageName: String, imageDigest: String, restartCount: Int, startTime: String?,
        lastExitCode: Int?, lastRestartTime: String?
    ) {
        self.serviceName = serviceName
        self.serviceStatus = serviceStatus
        self.instanceId = instanceId
        self.instanceStatus = instanceStatus
        self.containerName = containerName
        self.status = status
        self.message = message
        self.imageName = imageName
        self.imageDigest = imageDigest
        self.restartCount = restartCount
        self.startTime = startTime
        self.lastExitCode = lastExitCode
        self.lastRestartTime = lastRestartTime
    }

    enum CodingKeys: String, CodingKey {
        case status, message
        case serviceName = "service_name"
        case serviceStatus = "service_status"
        case instanceId = "instance_id"
        case instanceStatus = "instance_status"
        case containerName = "container_name"
        case imageName = "image_name"
        case imageDigest = "image_digest"
        case restartCount = "restart_count"
        case startTime = "start_time"
        case lastExitCode = "last_exit_code"
        case lastRestartTime = "last_restart_time"
    }
}

/// A row of `SHOW SERVICE INSTANCES IN SERVICE`.
public struct InstanceRow: Sendable, Hashable, Codable {
    public var serviceName: String
    public var serviceStatus: String
    public var instanceId: String
    public var status: String
    public var specDigest: String
    public var creationTime: String
    public var startTime: String?
    public var ipAddress: String
    /// floe's own: the pool node the instance is placed on.
    public var node: String?

    public init(
        serviceName: String, serviceStatus: String, instanceId: String, status: String, specDigest: String,
        creationTime: String, startTime: String?, ipAddress: String, node: String?
    ) {
        self.serviceName = serviceName
        self.serviceStatus = serviceStatus
        self.instanceId = instanceId
        self.status = status
        self.specDigest = specDigest
        self.creationTime = creationTime
        self.startTime = startTime
        self.ipAddress = ipAddress
        self.node = node
    }

    enum CodingKeys: String, CodingKey {
        case status, node
        case serviceName = "service_name"
        case serviceStatus = "service_status"
        case instanceId = "instance_id"
        case specDigest = "spec_digest"
        case creationTime = "creation_time"
        case startTime = "start_time"
        case ipAddress = "ip_address"
    }
}

/// A row of `SHOW COMPUTE POOLS`.
public struct PoolRow: Sendable, Hashable, Codable {
    public var name: String
    /// STARTING, ACTIVE, IDLE, SUSPENDED, RESIZING, STOPPING.
    public var state: String
    public var minNodes: Int
    public var maxNodes: Int
    public var instanceFamily: String
    public var numServices: Int
    public var numJobs: Int
    public var activeNodes: Int
    public var idleNodes: Int
    public var autoSuspendSecs: Int
    public var autoResume: Bool
    public var createdOn: String
    public var fileError: String?

    public init(
        name: String, state: String, minNodes: Int, maxNodes: Int, instanceFamily: String, numServices: Int,
        numJobs: Int, activeNodes: Int, idleNodes: Int, autoSuspendSecs: Int, autoResume: Bool, createdOn: String,
        fileError: String? = nil
    ) {
        self.name = name
        self.state = state
        self.minNodes = minNodes
        self.maxNodes = maxNodes
        self.instanceFamily = instanceFamily
        self.numServices = numServices
        self.numJobs = numJobs
        self.activeNodes = activeNodes
        self.idleNodes = idleNodes
        self.autoSuspendSecs = autoSuspendSecs
        self.autoResume = autoResume
        self.createdOn = createdOn
        self.fileError = fileError
    }

    enum CodingKeys: String, CodingKey {
        case name, state
        case minNodes = "min_nodes"
        case maxNodes = "max_nodes"
        case instanceFamily = "instance_family"
        case numServices = "num_services"
        case numJobs = "num_jobs"
        case activeNodes = "active_nodes"
        case idleNodes = "idle_nodes"
        case autoSuspendSecs = "auto_suspend_secs"
        case autoResume = "auto_resume"
        case createdOn = "created_on"
        case fileError = "file_error"
    }
}

/// One thing floed did and why (`floectl events`).
public struct EventRecord: Sendable, Hashable, Codable {
    public var time: String
    /// The object it concerns (upper-case), or "" for the daemon itself.
    public var object: String
    public var instanceId: String?
    public var container: String?
    /// loaded, rejected, removed, placed, started, ready, probe-failed, exited, restarted, upgrading,
    /// upgraded, stopped, unschedulable, node-added, node-removed, job-done, job-failed.
    public var reason: String
    public var message: String

    public init(time: String, object: String, instanceId: String?, container: String?, reason: String, message: String)
    {
        self.time = time
        self.object = object
        self.instanceId = instanceId
        self.container = container
        self.reason = reason
        self.message = message
    }
}

/// An error answer of the control API.
public struct APIError: Sendable, Hashable, Codable, Error, CustomStringConvertible {
    public var error: String
    public init(error: String) { self.error = error }
    public var description: String { error }
}
