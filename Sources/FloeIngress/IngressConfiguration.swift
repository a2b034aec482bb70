/// How one ingress listener behaves.
public struct IngressConfiguration: Sendable {
    /// The address to bind (`127.0.0.1` by default).
    public var host: String
    /// The port to bind; 0 picks a free one (see ``IngressServer/port``).
    public var port: Int
    /// True when every request must carry a valid `Authorization: Bearer` token (401 otherwise).
    /// Without it a valid token still names the user.
    public var requireToken: Bool
    /// How long connecting to an instance may take before the next one is tried.
    public var connectTimeout: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 0, requireToken: Bool = false,
        connectTimeout: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.requireToken = requireToken
        self.connectTimeout = connectTimeout
    }

    /// True for addresses only this machine can reach (`127.0.0.0/8`, `::1`, `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
