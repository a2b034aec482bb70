/// Why a notification could not be sent to the service manager.
public enum SystemdNotifierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `NOTIFY_SOCKET` names no usable socket address.
    case socketUnusable(String)
    /// The datagram could not be sent (nothing listens at `NOTIFY_SOCKET`, or it is full).
    case sendFailed(String)
    /// A key or value that the protocol cannot carry.
    case invalidAssignment(key: String, reason: String)

    public var description: String {
        switch self {
        case .socketUnusable(let detail):
            "cannot notify the service manager: \(detail); check NOTIFY_SOCKET (systemd sets it for Type=notify)"
        case .sendFailed(let detail):
            "cannot notify the service manager: \(detail); is the unit still running under systemd?"
        case .invalidAssignment(let key, let reason):
            "cannot send '\(key)' to the service manager: \(reason)"
        }
    }
}
