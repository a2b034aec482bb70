/// How a container's main process ended.
public struct ContainerExit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Exit status when the process exited; nil when a signal killed it.
    public var exitCode: Int32?
    /// The signal that killed it, if one did.
    public var signal: Int32?
    public init(exitCode: Int32?, signal: Int32?) {
        self.exitCode = exitCode
        self.signal = signal
    }
    /// An end whose status nobody could learn (the process ended while floed was down and its
    /// monitor was killed too): neither an exit code nor a signal.
    public static let unknown = ContainerExit(exitCode: nil, signal: nil)
    /// True for ``unknown``.
    public var isUnknown: Bool { exitCode == nil && signal == nil }
    /// SPCS's last_exit_code: the exit status, or 128 + signal (-1 when unknown).
    public var code: Int32 {
        if let exitCode { return exitCode }
        if let signal { return 128 + signal }
        return -1
    }
    public var succeeded: Bool { exitCode == 0 }
    public var description: String {
        if let exitCode { return "exited with code \(exitCode)" }
        if let signal { return "killed by signal \(signal)" }
        return "ended with an unknown status"
    }
}
