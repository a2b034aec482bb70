/// A READY instance a batch can be sent to: the address its ports are reached at and the
/// function's endpoint port.
public struct FunctionBackend: Sendable, Hashable, CustomStringConvertible {
    /// Names the instance in errors (floed: the instance id).
    public var id: String
    public var host: String
    public var port: Int

    public init(id: String, host: String, port: Int) {
        self.id = id
        self.host = host
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public var description: String { "instance \(id) at \(authority)" }
}

/// The READY backends of the function's endpoint now, waiting up to the given time for at least one
/// (floed: ``Reconciler/waitForBackends(service:endpoint:timeout:)``). Empty when none became READY.
public typealias FunctionBackendLookup = @Sendable (Duration) async -> [FunctionBackend]
