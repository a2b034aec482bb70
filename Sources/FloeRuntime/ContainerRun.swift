import FloeCore
import FloeSpec
import Foundation

/// One run of a container as its runtime recorded it (floe-monitor's run directory): which container,
/// when it was asked for, its processes, and how it ended. What a floed that starts finds of the runs a
/// previous floed left, as kubelet lists containers from the runtime rather than from its own memory.
public struct ContainerRun: Sendable, Hashable {
    /// The run's name (its directory).
    public var id: String
    public var object: ObjectName
    public var instanceID: Int
    public var container: String
    /// When floed asked for it (written before the process existed).
    public var requestedAt: Date
    /// The monitor and the container's main process, once the monitor started it.
    public var monitorPID: Int32?
    public var containerPID: Int32?
    /// The container's start time (clock ticks since boot) as its monitor read it: with the pid, what
    /// tells it from a later process that reuses the pid.
    public var containerStartTicks: UInt64?
    /// How the container ended and when, once its monitor wrote it down.
    public var exit: ContainerExit?
    public var endedAt: Date?
    /// The instance as floed knew it when it asked for the run (``ContainerLaunch/instance``).
    public var instance: InstanceState?

    public init(
        id: String, object: ObjectName, instanceID: Int, container: String, requestedAt: Date,
        monitorPID: Int32? = nil, containerPID: Int32? = nil, exit: ContainerExit? = nil, endedAt: Date? = nil,
        instance: InstanceState? = nil
    ) {
        self.id = id
        self.object = object
        self.instanceID = instanceID
        self.container = container
        self.requestedAt = requestedAt
        self.monitorPID = monitorPID
        self.containerPID = containerPID
        self.exit = exit
        self.endedAt = endedAt
        self.instance = instance
    }

    /// The instance the run belongs to.
    public var key: InstanceKey { InstanceKey(object, instanceID) }
}

/// What a runtime says of a container a previous floed started, when floed takes it back.
public enum Adoption: Sendable, Hashable {
    /// It still runs; the runtime watches it now and calls `onExit` when it ends.
    case running
    /// It ended while floed was down, as its monitor wrote down.
    case ended(ContainerExit, at: Date?)
    /// It is gone and nobody knows how it ended, or the recorded process is not it any more (its pid
    /// now belongs to another process): `reason` says which, for the user.
    case lost(reason: String)
}
