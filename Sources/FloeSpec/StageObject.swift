/// `service:` header — what CREATE SERVICE takes besides the specification.
public struct ServiceHeader: Sendable, Hashable, Codable {
    /// The pool's name; nil means the daemon's default pool.
    public var computePool: ObjectName?
    public var minInstances: Int
    public var maxInstances: Int
    public var minReadyInstances: Int
    public var autoResume: Bool
    /// 0 = off.
    public var autoSuspendSecs: Int
    /// Values for `{{ name }}` template placeholders.
    public var using: [String: String]
    public var queryWarehouse: String?
    public var comment: String?
    /// Unix user instances run as when floed is root (default: the config's default user).
    public var runAs: String?
    /// Seconds between SIGTERM and SIGKILL when an instance stops (SPCS: 30).
    public var stopGraceSeconds: Int
    /// Seconds a new instance may take to become READY during an upgrade before the upgrade stops.
    public var upgradeDeadlineSeconds: Int
    /// Host port for the ingress of public endpoints; nil = allocated.
    public var ingressPort: Int?

    public init(
        computePool: ObjectName? = nil, minInstances: Int = 1, maxInstances: Int? = nil, minReadyInstances: Int? = nil,
        autoResume: Bool = true, autoSuspendSecs: Int = 0, using: [String: String] = [:], queryWarehouse: String? = nil,
        comment: String? = nil, runAs: String? = nil, stopGraceSeconds: Int = 30, upgradeDeadlineSeconds: Int = 600,
        ingressPort: Int? = nil
    ) {
        self.computePool = computePool
        self.minInstances = minInstances
        self.maxInstances = maxInstances ?? minInstances
        self.minReadyInstances = minReadyInstances ?? minInstances
        self.autoResume = autoResume
        self.autoSuspendSecs = autoSuspendSecs
        self.using = using
        self.queryWarehouse = queryWarehouse
        self.comment = comment
        self.runAs = runAs
        self.stopGraceSeconds = stopGraceSeconds
        self.upgradeDeadlineSeconds = upgradeDeadlineSeconds
        self.ingressPort = ingressPort
    }
}

/// `job:` header — what EXECUTE JOB SERVICE takes besides the specification.
public struct JobHeader: Sendable, Hashable, Codable {
    public var computePool: ObjectName?
    public var replicas: Int
    /// How many times a failed replica is run again (0 = SPCS's behaviour: no retry).
    public var retries: Int
    public var using: [String: String]
    public var runAs: String?
    public var stopGraceSeconds: Int

    public init(
        computePool: ObjectName? = nil, replicas: Int = 1, retries: Int = 0, using: [String: String] = [:],
        runAs: String? = nil, stopGraceSeconds: Int = 30
    ) {
        self.computePool = computePool
        self.replicas = replicas
        self.retries = retries
        self.using = using
        self.runAs = runAs
        self.stopGraceSeconds = stopGraceSeconds
    }
}

/// `computePool:` — CREATE COMPUTE POOL.
public struct ComputePoolSpec: Sendable, Hashable, Codable {
    public var minNodes: Int
    public var maxNodes: Int
    public var instanceFamily: InstanceFamily
    public var autoResume: Bool
    public var autoSuspendSecs: Int
    public var initiallySuspended: Bool

    public init(
        minNodes: Int = 1, maxNodes: Int? = nil, instanceFamily: InstanceFamily, autoResume: Bool = true,
        autoSuspendSecs: Int = 3600, initiallySuspended: Bool = false
    ) {
        self.minNodes = minNodes
        self.maxNodes = maxNodes ?? minNodes
        self.instanceFamily = instanceFamily
        self.autoResume = autoResume
        self.autoSuspendSecs = autoSuspendSecs
        self.initiallySuspended = initiallySuspended
    }
}

/// `function:` — CREATE FUNCTION ... SERVICE=... ENDPOINT=... AS '/path'.
public struct FunctionSpec: Sendable, Hashable, Codable {
    public struct Argument: Sendable, Hashable, Codable {
        public var name: String
        public var type: String
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }
    public enum OnBatchFailure: String, Sendable, Hashable, Codable {
        case abort = "ABORT"
        case returnNull = "RETURN_NULL"
    }
    public var service: ObjectName
    public var endpoint: String
    public var path: String
    public var arguments: [Argument]
    public var returns: String
    public var maxBatchRows: Int?
    public var maxBatchRetries: Int
    public var onBatchFailure: OnBatchFailure
    public var batchTimeoutSecs: Int
    public var contextHeaders: [String]

    public init(
        service: ObjectName, endpoint: String, path: String, arguments: [Argument] = [], returns: String,
        maxBatchRows: Int? = nil, maxBatchRetries: Int = 3, onBatchFailure: OnBatchFailure = .abort,
        batchTimeoutSecs: Int = 3600, contextHeaders: [String] = []
    ) {
        self.service = service
        self.endpoint = endpoint
        self.path = path
        self.arguments = arguments
        self.returns = returns
        self.maxBatchRows = maxBatchRows
        self.maxBatchRetries = maxBatchRetries
        self.onBatchFailure = onBatchFailure
        self.batchTimeoutSecs = batchTimeoutSecs
        self.contextHeaders = contextHeaders
    }
}

/// `image:` — a local image for the process runtime, which has no registry.
public struct ImageSpec: Sendable, Hashable, Codable {
    /// The reference containers name in `image:` (e.g. `/db/schema/repo/name:tag`).
    public var reference: String
    /// Absolute directory the image's processes start in (resolved against the file's directory).
    public var directory: String
    public var entrypoint: [String]
    public var cmd: [String]
    public var env: [EnvVar]

    public init(reference: String, directory: String, entrypoint: [String] = [], cmd: [String] = [], env: [EnvVar] = [])
    {
        self.reference = reference
        self.directory = directory
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
    }
}

/// What one stage file defines.
public enum StageObject: Sendable, Hashable, Codable {
    case service(ServiceHeader, ServiceSpec)
    case job(JobHeader, ServiceSpec)
    case computePool(ComputePoolSpec)
    case function(FunctionSpec)
    case image(ImageSpec)

    /// The kind's name as users see it: `service`, `job`, `computePool`, `function`, `image`.
    public var kind: String {
        switch self {
        case .service: "service"
        case .job: "job"
        case .computePool: "computePool"
        case .function: "function"
        case .image: "image"
        }
    }
}

/// One read stage file: its object (when it has no errors), its diagnostics, and its digest.
public struct StageFile: Sendable, Hashable {
    /// The path as given.
    public var path: String
    /// From the file name; nil when the file name is not an SPCS identifier (an error says so).
    public var name: ObjectName?
    /// nil when the file has errors.
    public var object: StageObject?
    public var diagnostics: [Diagnostic]
    /// ``SpecDigest`` of `object`; nil when the file has errors.
    public var digest: String?
    /// Where some values are, for cross-file diagnostics: `computePool` (header value), `spec`,
    /// `spec.containers[N]`, `spec.containers[N].image`, `function.service`, `function.endpoint`,
    /// `image.directory`.
    public var positions: [String: SourcePosition] = [:]

    public init(path: String, name: ObjectName?, object: StageObject?, diagnostics: [Diagnostic], digest: String?) {
        self.path = path
        self.name = name
        self.object = object
        self.diagnostics = diagnostics
        self.digest = digest
    }

    /// True when any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
