/// A started container: enough to signal it, find it again after floed restarts, and report it.
public struct ContainerHandle: Sendable, Hashable, Codable {
    public var pid: Int32
    /// The process group (= pid: each container leads its own group).
    public var processGroup: Int32
    /// Kernel start time of the process (clock ticks since boot, /proc/PID/stat field 22), so a
    /// recycled pid is never mistaken for this container.
    public var startTicks: UInt64
    /// The run's record in the runtime (floe-monitor's directory), when the container has a monitor:
    /// where its exit status is written, so a later floed can adopt it or learn how it ended.
    public var run: String?
    /// The monitor process that is the container's parent, when it has one.
    public var monitorPID: Int32?
    public init(pid: Int32, processGroup: Int32, startTicks: UInt64, run: String? = nil, monitorPID: Int32? = nil) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTicks = startTicks
        self.run = run
        self.monitorPID = monitorPID
    }
}
