import FloeNetwork
import FloeSpec
import FloeSystemd
import Logging

/// Settings given on top of the defaults: what the config file says, or what command-line flags say.
/// Nil means "not given". ``FloedConfig/load(path:environment:isRoot:overrides:host:)`` lays the
/// flags over the file, then fills in defaults.
public struct FloedConfigOverrides: Sendable, Hashable {
    public var stage: String?
    public var stateDir: String?
    public var socket: String?
    public var socketGroup: String?
    public var rescanSeconds: Int?
    public var defaultPoolName: ObjectName?
    public var instanceFamily: InstanceFamily?
    public var minNodes: Int?
    public var maxNodes: Int?
    public var defaultUser: String?
    public var allowStageGroup: String?
    public var stopGraceSeconds: Int?
    public var logSizeLimitBytes: Int64?
    public var jobRetentionDays: Int?
    public var logTarget: LogTarget?
    public var logLevel: Logger.Level?
    public var ingressAddress: String?
    public var ingressPorts: ClosedRange<Int>?
    public var ingressResumeSeconds: Int?
    /// `imageRoots` (absolute directories).
    public var imageRoots: [String]?
    public var network: FloedConfig.NetworkMode?
    public var networkRange: IPv4Range?
    public var networkBridge: String?

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
