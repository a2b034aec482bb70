import FloeSpec

/// A service as the stage asks for it (the last good version of its file).
public struct DesiredService: Sendable, Hashable {
    public var name: ObjectName
    public var header: ServiceHeader
    public var spec: ServiceSpec
    /// The digest of what runs: the spec digest combined with the digests of the images it uses.
    public var digest: String
    public var pool: ObjectName

    public init(name: ObjectName, header: ServiceHeader, spec: ServiceSpec, digest: String, pool: ObjectName) {
        self.name = name
        self.header = header
        self.spec = spec
        self.digest = digest
        self.pool = pool
    }
}

/// A job as the stage asks for it.
public struct DesiredJob: Sendable, Hashable {
    public var name: ObjectName
    public var header: JobHeader
    public var spec: ServiceSpec
    public var digest: String
    public var pool: ObjectName

    public init(name: ObjectName, header: JobHeader, spec: ServiceSpec, digest: String, pool: ObjectName) {
        self.name = name
        self.header = header
        self.spec = spec
        self.digest = digest
        self.pool = pool
    }
}

/// Everything the stage asks for, as the planner sees it.
public struct DesiredState: Sendable, Hashable {
    public var services: [ObjectName: DesiredService]
    public var jobs: [ObjectName: DesiredJob]
    /// Every pool, the daemon's default pool included.
    public var pools: [ObjectName: ComputePoolSpec]
    /// False until the first full scan of the stage has finished: nothing is removed before.
    public var complete: Bool

    public init(
        services: [ObjectName: DesiredService] = [:], jobs: [ObjectName: DesiredJob] = [:],
        pools: [ObjectName: ComputePoolSpec] = [:], complete: Bool = true
    ) {
        self.services = services
        self.jobs = jobs
        self.pools = pools
        self.complete = complete
    }
}
