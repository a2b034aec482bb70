import FloeCore

/// A READY instance that traffic for one endpoint of a service can go to.
public struct Backend: Sendable, Hashable {
    /// The instance.
    public var key: InstanceKey
    /// The address the instance's ports are reached at (its namespace's address; 127.0.0.1 on the host network).
    public var host: String
    /// The endpoint's port inside the instance.
    public var port: Int

    public init(key: InstanceKey, host: String, port: Int) {
        self.key = key
        self.host = host
        self.port = port
    }
}
