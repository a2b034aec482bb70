import FloeSpec

/// Builds the launch of one container from the desired state and the instance's placement: argv,
/// environment, working directory and log file, the SPCS way. Pure; the instance runner's hooks then
/// add what needs the system (the user, secrets, the network namespace).
public enum LaunchBuilder {
    /// What a launch is built from besides the container's spec.
    public struct Context: Sendable {
        /// The environment every container gets before image and spec env (PATH, LANG, HOME).
        public var baseEnvironment: [String: String]
        /// The pool an object runs in when the desired state does not say (the daemon's default pool).
        public var defaultPool: ObjectName
        /// Where a container without an image directory runs.
        public var stageDirectory: String

        public init(baseEnvironment: [String: String], defaultPool: ObjectName, stageDirectory: String) {
            self.baseEnvironment = baseEnvironment
            self.defaultPool = defaultPool
            self.stageDirectory = stageDirectory
        }
    }

    /// Why a container has no launch (its status message says so, after "Failed to pull image: ").
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case noImage(String)
        case emptyCommand(String)
        public var description: String {
            switch self {
            case .noImage(let image):
                "no image file in the stage has reference '\(image)' and the container has no command"
            case .emptyCommand(let name): "container \(name) has an empty command"
            }
        }
    }

    /// The launch of container `spec` of instance `key`: `command` replaces the image's entrypoint,
    /// `args` its cmd; env = base + image env + spec env + SPCS's variables.
    public static func launch(
        _ key: InstanceKey, _ spec: ContainerSpec, image: ImageSpec?, desired: DesiredState, logFile: String,
        context: Context
    ) -> Result<ContainerLaunch, Failure> {
        let argv: [String]
        if let command = spec.command {
            argv = command + (spec.args ?? [])
        } else if let image {
            argv = image.entrypoint + (spec.args ?? image.cmd)
        } else {
            return .failure(.noImage(spec.image))
        }
        if argv.isEmpty { return .failure(.emptyCommand(spec.name)) }
        var environment = context.baseEnvironment
        for variable in image?.env ?? [] { environment[variable.name] = variable.value }
        for variable in spec.env { environment[variable.name] = variable.value }
        let pool = desired.services[key.object]?.pool ?? desired.jobs[key.object]?.pool ?? context.defaultPool
        environment["SNOWFLAKE_SERVICE_NAME"] = key.object.value
        environment["SNOWFLAKE_COMPUTE_POOL"] = pool.value
        environment["SNOWFLAKE_HOST"] = "localhost"
        environment["SNOWFLAKE_ACCOUNT"] = "FLOE"
        environment["SNOWFLAKE_SERVICE_INSTANCE_ID"] = String(key.id)
        if let job = desired.jobs[key.object] {
            environment["SNOWFLAKE_JOBS_COUNT"] = String(job.header.replicas)
            environment["SNOWFLAKE_JOB_INDEX"] = String(key.id)
        }
        return .success(
            ContainerLaunch(
                service: key.object, instanceID: key.id, containerName: spec.name, argv: argv, environment: environment,
                workingDirectory: image?.directory ?? context.stageDirectory, logFile: logFile))
    }
}
