/// SPCS's status of a service or a job (SHOW SERVICES' `status`, DESCRIBE SERVICE's).
public enum ServiceStatusName: String, Sendable, Hashable, Codable, CaseIterable {
    case pending = "PENDING"
    case running = "RUNNING"
    case failed = "FAILED"
    case done = "DONE"
    case suspending = "SUSPENDING"
    case suspended = "SUSPENDED"
    case deleting = "DELETING"
    case deleted = "DELETED"
}

/// SPCS's status of one container (`SYSTEM$GET_SERVICE_STATUS`' `status`).
public enum ContainerStatusName: String, Sendable, Hashable, Codable, CaseIterable {
    case pending = "PENDING"
    case ready = "READY"
    case failed = "FAILED"
    case done = "DONE"
    case terminating = "TERMINATING"
}

/// SPCS's status of one instance (SHOW SERVICE INSTANCES' `status`).
public enum InstanceStatusName: String, Sendable, Hashable, Codable, CaseIterable {
    case pending = "PENDING"
    case ready = "READY"
    case failed = "FAILED"
    case succeeded = "SUCCEEDED"
    case terminating = "TERMINATING"
}
