import FloeSpec

/// Everything a runtime needs to start one container of one instance.
public struct ContainerLaunch: Sendable, Hashable {
    public var service: ObjectName
    public var instanceID: Int
    public var containerName: String
    /// argv: `command` + `args`, else the image's entrypoint + cmd. `argv[0]` is looked up in PATH
    /// (of `environment`) when it has no `/`; relative paths are relative to `workingDirectory`.
    public var argv: [String]
    /// The complete environment of the process (image env + spec env + SPCS's variables).
    public var environment: [String: String]
    public var workingDirectory: String
    /// Where stdout and stderr go (appended, merged); the previous run's file is kept beside it.
    public var logFile: String
    /// Run as this user (uid, gid) when floed is root; nil = floed's own user.
    public var user: UserIdentity?
    /// Run inside this network namespace (an `ip netns` name); nil = floed's (the host's) network.
    public var networkNamespace: String?
    /// The instance as floed knew it when it asked for this start, kept with the run's record before
    /// the process exists (the intent): a floed killed before it saved its own records rebuilds the
    /// instance from it and adopts the process.
    public var instance: InstanceState?

    public init(
        service: ObjectName, instanceID: Int, containerName: String, argv: [String], environment: [String: String],
        workingDirectory: String, logFile: String, user: UserIdentity? = nil, networkNamespace: String? = nil
    ) {
        self.service = service
        self.instanceID = instanceID
        self.containerName = containerName
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.logFile = logFile
        self.user = user
        self.networkNamespace = networkNamespace
    }
}
