/// A started container: enough to signal it, find it again after floed restarts, and report it.
public struct ContainerHandle: Sendable, Hashable, Codable {
    public var pid: Int32
    /// The process group (= pid: each container leads its own group).
    public var processGroup: Int32
    /// Kernel start time of the process (clock ticks since boot, /proc/PID/stat field 22), so a
    /// recycled pid is never mistaken for this container.
    public var startTicks: UInt64
    public init(pid: Int32, processGroup: Int32, startTicks: UInt64) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTicks = startTicks
    }
}
