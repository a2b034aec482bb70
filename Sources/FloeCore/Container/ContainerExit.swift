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
    /// SPCS's last_exit_code: the exit status, or 128 + signal.
    public var code: Int32 { exitCode ?? (128 + (signal ?? 0)) }
    public var succeeded: Bool { exitCode == 0 }
    public var description: String {
        if let exitCode { return "exited with code \(exitCode)" }
        return "killed by signal \(signal ?? 0)"
    }
}
