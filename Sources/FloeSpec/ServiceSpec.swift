/// The SPCS specification of a service or job: what the `spec:` (plus `serviceRoles:` and
/// `capabilities:`) part of a stage file says, with SPCS's defaults filled in.
public struct ServiceSpec: Sendable, Hashable, Codable {
    public var containers: [ContainerSpec]
    public var endpoints: [EndpointSpec]
    public var volumes: [VolumeSpec]
    /// `spec.logExporters.eventTableConfig.logLevel` (INFO, ERROR, NONE), if given.
    public var logLevel: String?
    /// `spec.platformMonitor.metricConfig.groups`.
    public var platformMetricGroups: [String]
    /// `spec.networkPolicyConfig.allowInternetEgress`, if given (not in SPCS's reference; accepted).
    public var allowInternetEgress: Bool?
    public var serviceRoles: [ServiceRole]
    /// `capabilities.securityContext.executeAsCaller`.
    public var executeAsCaller: Bool
    /// `capabilities.securityContext.enableCustomCredentials`.
    public var enableCustomCredentials: Bool

    public init(
        containers: [ContainerSpec], endpoints: [EndpointSpec] = [], volumes: [VolumeSpec] = [],
        logLevel: String? = nil, platformMetricGroups: [String] = [], allowInternetEgress: Bool? = nil,
        serviceRoles: [ServiceRole] = [], executeAsCaller: Bool = false, enableCustomCredentials: Bool = false
    ) {
        self.containers = containers
        self.endpoints = endpoints
        self.volumes = volumes
        self.logLevel = logLevel
        self.platformMetricGroups = platformMetricGroups
        self.allowInternetEgress = allowInternetEgress
        self.serviceRoles = serviceRoles
        self.executeAsCaller = executeAsCaller
        self.enableCustomCredentials = enableCustomCredentials
    }
}

/// One `spec.containers[]` entry.
public struct ContainerSpec: Sendable, Hashable, Codable {
    /// `[a-z0-9-]`, 1..63, starts with a letter, ends with a letter or digit.
    public var name: String
    /// The image reference as written (`/db/schema/repo/name:tag`, a registry URL, ...).
    public var image: String
    /// Replaces the image's ENTRYPOINT when given.
    public var command: [String]?
    /// Replaces the image's CMD when given.
    public var args: [String]?
    /// Environment, in file order; values are strings exactly as written.
    public var env: [EnvVar]
    public var readinessProbe: Probe?
    public var livenessProbe: Probe?
    public var volumeMounts: [VolumeMount]
    public var resources: Resources
    public var secrets: [SecretRef]
    public var mountSessionToken: Bool

    public init(
        name: String, image: String, command: [String]? = nil, args: [String]? = nil, env: [EnvVar] = [],
        readinessProbe: Probe? = nil, livenessProbe: Probe? = nil, volumeMounts: [VolumeMount] = [],
        resources: Resources = Resources(), secrets: [SecretRef] = [], mountSessionToken: Bool = true
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.volumeMounts = volumeMounts
        self.resources = resources
        self.secrets = secrets
        self.mountSessionToken = mountSessionToken
    }
}

/// One environment variable.
public struct EnvVar: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP GET probe on `127.0.0.1:port/path` (the instance's address once instances get their own).
public struct Probe: Sendable, Hashable, Codable {
    public var port: Int
    public var path: String
    public var periodSeconds: Int
    public var failureThreshold: Int

    /// SPCS's defaults: readiness 5 s / 3.
    public static let readinessDefaults = (periodSeconds: 5, failureThreshold: 3)
    /// SPCS's defaults: liveness 10 s / 3.
    public static let livenessDefaults = (periodSeconds: 10, failureThreshold: 3)

    public init(port: Int, path: String, periodSeconds: Int, failureThreshold: Int) {
        self.port = port
        self.path = path
        self.periodSeconds = periodSeconds
        self.failureThreshold = failureThreshold
    }
}

/// `volumeMounts[]` entry.
public struct VolumeMount: Sendable, Hashable, Codable {
    public var name: String
    public var mountPath: String
    public init(name: String, mountPath: String) {
        self.name = name
        self.mountPath = mountPath
    }
}

/// A container's `resources`, as written (nil where not given). See ``effectiveRequests(nodeCapacity:)``.
public struct Resources: Sendable, Hashable, Codable {
    public var requests: ResourceAmounts
    public var limits: ResourceAmounts
    public init(requests: ResourceAmounts = ResourceAmounts(), limits: ResourceAmounts = ResourceAmounts()) {
        self.requests = requests
        self.limits = limits
    }
}

/// An amount of cpu, memory and GPUs; nil where the file says nothing.
public struct ResourceAmounts: Sendable, Hashable, Codable {
    /// Millicores (`500m` = 500, `0.5` = 500, `2` = 2000).
    public var milliCPU: Int?
    /// Bytes (`6Gi`, `512Mi`, `1G`).
    public var memoryBytes: Int64?
    /// `nvidia.com/gpu`.
    public var gpus: Int?
    public init(milliCPU: Int? = nil, memoryBytes: Int64? = nil, gpus: Int? = nil) {
        self.milliCPU = milliCPU
        self.memoryBytes = memoryBytes
        self.gpus = gpus
    }
}

/// `secrets[]` entry: an SPCS secret delivered as an env var or files.
public struct SecretRef: Sendable, Hashable, Codable {
    /// `snowflakeSecret` (string form) or `snowflakeSecret.objectName`.
    public var objectName: String?
    /// `snowflakeSecret.objectReference`.
    public var objectReference: String?
    public var envVarName: String?
    /// `username`, `password` or `secret_string`, lower-cased.
    public var secretKeyRef: String?
    public var directoryPath: String?
    public init(
        objectName: String? = nil, objectReference: String? = nil, envVarName: String? = nil,
        secretKeyRef: String? = nil, directoryPath: String? = nil
    ) {
        self.objectName = objectName
        self.objectReference = objectReference
        self.envVarName = envVarName
        self.secretKeyRef = secretKeyRef
        self.directoryPath = directoryPath
    }
}

/// `spec.endpoints[]` entry.
public struct EndpointSpec: Sendable, Hashable, Codable {
    public enum TransportProtocol: String, Sendable, Hashable, Codable {
        case http = "HTTP"
        case tcp = "TCP"
    }
    public var name: String
    public var port: Int?
    public var portRange: ClosedRange<Int>?
    public var isPublic: Bool
    public var `protocol`: TransportProtocol
    public var corsSettings: CORSSettings?

    public init(
        name: String, port: Int? = nil, portRange: ClosedRange<Int>? = nil, isPublic: Bool = false,
        protocol: TransportProtocol = .http, corsSettings: CORSSettings? = nil
    ) {
        self.name = name
        self.port = port
        self.portRange = portRange
        self.isPublic = isPublic
        self.protocol = `protocol`
        self.corsSettings = corsSettings
    }
}

/// `corsSettings` of an endpoint.
public struct CORSSettings: Sendable, Hashable, Codable {
    public var allowOrigin: [String]
    public var allowMethods: [String]
    public var allowHeaders: [String]
    public var exposeHeaders: [String]
    public init(
        allowOrigin: [String], allowMethods: [String] = [], allowHeaders: [String] = [], exposeHeaders: [String] = []
    ) {
        self.allowOrigin = allowOrigin
        self.allowMethods = allowMethods
        self.allowHeaders = allowHeaders
        self.exposeHeaders = exposeHeaders
    }
}

/// `spec.volumes[]` entry.
public struct VolumeSpec: Sendable, Hashable, Codable {
    public enum Source: String, Sendable, Hashable, Codable {
        case local, memory, block, stage
    }
    public var name: String
    public var source: Source
    /// For the deprecated `source: "@stage"` form and `stageConfig.name`: the stage, e.g. `@db.sch.stage/sub`.
    public var stageName: String?
    /// Bytes; required for memory and block volumes.
    public var sizeBytes: Int64?
    public var uid: Int?
    public var gid: Int?

    public init(
        name: String, source: Source, stageName: String? = nil, sizeBytes: Int64? = nil, uid: Int? = nil,
        gid: Int? = nil
    ) {
        self.name = name
        self.source = source
        self.stageName = stageName
        self.sizeBytes = sizeBytes
        self.uid = uid
        self.gid = gid
    }
}

/// `serviceRoles[]` entry.
public struct ServiceRole: Sendable, Hashable, Codable {
    public var name: String
    public var endpoints: [String]
    public init(name: String, endpoints: [String]) {
        self.name = name
        self.endpoints = endpoints
    }
}
