import FloeNetwork
import FloeSpec
import Logging

/// floed's configuration: the YAML file (`--config`, default `/etc/floe/floed.yaml`) with the
/// command line on top and defaults for what neither says.
///
/// Read it with ``load(path:environment:isRoot:overrides:host:)``; every field is a `var` so the
/// daemon may still adjust it, but flags should go through ``FloedConfigOverrides`` so that values
/// derived from others (the stage under `stateDir`) follow them.
public struct FloedConfig: Sendable, Hashable {
    /// The compute pool that services and jobs without a `computePool` run in.
    public struct DefaultPool: Sendable, Hashable {
        /// `DEFAULT_POOL` unless configured.
        public var name: ObjectName
        /// Instance family, node counts and the rest of the pool's definition.
        public var spec: ComputePoolSpec

        /// A default pool named `name`, defined by `spec`.
        public init(name: ObjectName, spec: ComputePoolSpec) {
            self.name = name
            self.spec = spec
        }
    }

    /// Where and how much floed logs.
    public struct Log: Sendable, Hashable {
        /// The journal, stderr, or `auto` (the journal when stderr is connected to it).
        public var target: LogTarget
        /// The least severe level that is logged.
        public var level: Logger.Level

        /// Logging to `target` from `level` up (default: `auto`, `info`).
        public init(target: LogTarget = .auto, level: Logger.Level = .info) {
            self.target = target
            self.level = level
        }
    }

    /// The stage directory floed watches (root: `/var/lib/floe/stage`; others: `<stateDir>/stage`).
    public var stage: String
    /// floed's own state: instances, logs, secrets (root: `/var/lib/floe`; others:
    /// `$XDG_STATE_HOME/floe`, or `~/.local/state/floe`).
    public var stateDir: String
    /// The control API's Unix socket (root: `/run/floe/floed.sock`; others:
    /// `$XDG_RUNTIME_DIR/floe/floed.sock`, or `<stateDir>/floed.sock`).
    public var socket: String
    /// The group that may use the control socket (mode 0660), when floed is root and the group exists.
    public var socketGroup: String
    /// Seconds between full rescans of the stage (besides file-change events).
    public var rescanSeconds: Int
    /// The pool for objects that name none.
    public var defaultPool: DefaultPool
    /// The user instances run as when floed is root and the service header has no `runAs`.
    public var defaultUser: String
    /// A group whose members may write the stage; nil means only root (or floed's user).
    public var allowStageGroup: String?
    /// Seconds between SIGTERM and SIGKILL when floed stops an instance (services may override).
    public var stopGraceSeconds: Int
    /// Size at which one container's log file is rotated.
    public var logSizeLimitBytes: Int64
    /// Days a finished job's record and logs are kept.
    public var jobRetentionDays: Int
    /// floed's own logging.
    public var log: Log
    /// The address ingress listeners of public endpoints bind to (`127.0.0.1`). Any other address
    /// requires an access token on every request.
    public var ingressAddress: String
    /// The ports public endpoints get when their service names no `ingressPort`.
    public var ingressPorts: ClosedRange<Int>
    /// How long a request to a suspended service waits for it to resume and become READY.
    public var ingressResumeSeconds: Int
    /// Directories besides the stage that `image:` files' `directory` may point into.
    public var imageRoots: [String] = []
    /// How instances are networked (`auto`: own namespaces when floed is root and iproute2 and
    /// nftables are installed, else the host network).
    public var network: NetworkMode
    /// The addresses instances and services get on the floe bridge (namespace networking only).
    public var networkRange: IPv4Range
    /// The floe bridge's name; every namespace, veth and the nftables table are named after it.
    public var networkBridge: String

    /// A configuration from its values; what is left out has floed's default. Most callers want
    /// ``load(path:environment:isRoot:overrides:host:)`` or ``defaults(environment:isRoot:host:)``,
    /// which derive the paths from the environment.
    public init(
        stage: String, stateDir: String, socket: String, socketGroup: String = "floe", rescanSeconds: Int = 20,
        defaultPool: DefaultPool, defaultUser: String = "floe", allowStageGroup: String? = nil,
        stopGraceSeconds: Int = 30, logSizeLimitBytes: Int64 = 10 << 20, jobRetentionDays: Int = 30,
        log: Log = Log(), ingressAddress: String = "127.0.0.1", ingressPorts: ClosedRange<Int> = 8400...8499,
        ingressResumeSeconds: Int = 60, network: NetworkMode = .auto,
        networkRange: IPv4Range = FloedConfig.defaultNetworkRange, networkBridge: String = "floe0"
    ) {
        self.stage = stage
        self.stateDir = stateDir
        self.socket = socket
        self.socketGroup = socketGroup
        self.rescanSeconds = rescanSeconds
        self.defaultPool = defaultPool
        self.defaultUser = defaultUser
        self.allowStageGroup = allowStageGroup
        self.stopGraceSeconds = stopGraceSeconds
        self.logSizeLimitBytes = logSizeLimitBytes
        self.jobRetentionDays = jobRetentionDays
        self.log = log
        self.ingressAddress = ingressAddress
        self.ingressPorts = ingressPorts
        self.ingressResumeSeconds = ingressResumeSeconds
        self.network = network
        self.networkRange = networkRange
        self.networkBridge = networkBridge
    }
}
