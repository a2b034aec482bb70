import FloeNetwork
import FloeSpec
import Logging

/// Settings given on top of the defaults: what the config file says, or what command-line flags say.
/// Nil means "not given". ``FloedConfig/load(path:environment:isRoot:overrides:host:)`` lays the
/// flags over the file, then fills in defaults.
public struct FloedConfigOverrides: Sendable, Hashable {
    /// `stage`: the stage directory (absolute).
    public var stage: String?
    /// `stateDir`: floed's state directory (absolute).
    public var stateDir: String?
    /// `socket`: the control socket's path (absolute, at most ``FloedConfig/maxSocketPathBytes``).
    public var socket: String?
    /// `socketGroup`: the group that may use the control socket.
    public var socketGroup: String?
    /// `rescanSeconds`: seconds between full rescans of the stage.
    public var rescanSeconds: Int?
    /// `defaultPool.name`.
    public var defaultPoolName: ObjectName?
    /// `defaultPool.instanceFamily`.
    public var instanceFamily: InstanceFamily?
    /// `defaultPool.minNodes`.
    public var minNodes: Int?
    /// `defaultPool.maxNodes`.
    public var maxNodes: Int?
    /// `defaultUser`: the user instances run as when the header names none.
    public var defaultUser: String?
    /// `allowStageGroup`: a group whose members may write the stage.
    public var allowStageGroup: String?
    /// `stopGraceSeconds`: seconds between SIGTERM and SIGKILL.
    public var stopGraceSeconds: Int?
    /// `logSizeLimitBytes`: the size at which a container's log is rotated.
    public var logSizeLimitBytes: Int64?
    /// `jobRetentionDays`: days a finished job is kept.
    public var jobRetentionDays: Int?
    /// `log.target`.
    public var logTarget: LogTarget?
    /// `log.level`.
    public var logLevel: Logger.Level?
    /// `ingressAddress`: the address ingress listeners bind to.
    public var ingressAddress: String?
    /// `ingressPorts`: the ports public endpoints get.
    public var ingressPorts: ClosedRange<Int>?
    /// `ingressResumeSeconds`: how long a request waits for a suspended service.
    public var ingressResumeSeconds: Int?
    /// `imageRoots` (absolute directories).
    public var imageRoots: [String]?
    /// `network`: how instances are networked.
    public var network: FloedConfig.NetworkMode?
    /// `networkRange`: the addresses of the floe bridge.
    public var networkRange: IPv4Range?
    /// `networkBridge`: the floe bridge's name.
    public var networkBridge: String?

    /// Overrides with the given values; every one left out is "not given".
    public init(
        stage: String? = nil, stateDir: String? = nil, socket: String? = nil, socketGroup: String? = nil,
        rescanSeconds: Int? = nil, defaultPoolName: ObjectName? = nil, instanceFamily: InstanceFamily? = nil,
        minNodes: Int? = nil, maxNodes: Int? = nil, defaultUser: String? = nil, allowStageGroup: String? = nil,
        stopGraceSeconds: Int? = nil, logSizeLimitBytes: Int64? = nil, jobRetentionDays: Int? = nil,
        logTarget: LogTarget? = nil, logLevel: Logger.Level? = nil, ingressAddress: String? = nil,
        ingressPorts: ClosedRange<Int>? = nil, ingressResumeSeconds: Int? = nil,
        network: FloedConfig.NetworkMode? = nil, networkRange: IPv4Range? = nil, networkBridge: String? = nil
    ) {
        self.stage = stage
        self.stateDir = stateDir
        self.socket = socket
        self.socketGroup = socketGroup
        self.rescanSeconds = rescanSeconds
        self.defaultPoolName = defaultPoolName
        self.instanceFamily = instanceFamily
        self.minNodes = minNodes
        self.maxNodes = maxNodes
        self.defaultUser = defaultUser
        self.allowStageGroup = allowStageGroup
        self.stopGraceSeconds = stopGraceSeconds
        self.logSizeLimitBytes = logSizeLimitBytes
        self.jobRetentionDays = jobRetentionDays
        self.logTarget = logTarget
        self.logLevel = logLevel
        self.ingressAddress = ingressAddress
        self.ingressPorts = ingressPorts
        self.ingressResumeSeconds = ingressResumeSeconds
        self.network = network
        self.networkRange = networkRange
        self.networkBridge = networkBridge
    }

    /// `self` with every value `top` gives replacing this one.
    public func overlaid(with top: FloedConfigOverrides) -> FloedConfigOverrides {
        var result = FloedConfigOverrides(
            stage: top.stage ?? stage, stateDir: top.stateDir ?? stateDir, socket: top.socket ?? socket,
            socketGroup: top.socketGroup ?? socketGroup, rescanSeconds: top.rescanSeconds ?? rescanSeconds,
            defaultPoolName: top.defaultPoolName ?? defaultPoolName,
            instanceFamily: top.instanceFamily ?? instanceFamily, minNodes: top.minNodes ?? minNodes,
            maxNodes: top.maxNodes ?? maxNodes, defaultUser: top.defaultUser ?? defaultUser,
            allowStageGroup: top.allowStageGroup ?? allowStageGroup,
            stopGraceSeconds: top.stopGraceSeconds ?? stopGraceSeconds,
            logSizeLimitBytes: top.logSizeLimitBytes ?? logSizeLimitBytes,
            jobRetentionDays: top.jobRetentionDays ?? jobRetentionDays, logTarget: top.logTarget ?? logTarget,
            logLevel: top.logLevel ?? logLevel, ingressAddress: top.ingressAddress ?? ingressAddress,
            ingressPorts: top.ingressPorts ?? ingressPorts,
            ingressResumeSeconds: top.ingressResumeSeconds ?? ingressResumeSeconds,
            network: top.network ?? network, networkRange: top.networkRange ?? networkRange,
            networkBridge: top.networkBridge ?? networkBridge)
        result.imageRoots = top.imageRoots ?? imageRoots
        return result
    }
}
