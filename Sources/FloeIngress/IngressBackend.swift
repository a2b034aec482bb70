/// One place a request can be forwarded to: a READY instance's address and endpoint port.
public struct IngressBackend: Sendable, Hashable, CustomStringConvertible {
    /// The address the instance is reached at.
    public var host: String
    /// The endpoint's port on that address.
    public var port: Int
    /// A name for messages (e.g. `FILTER_SERVICE/0`).
    public var label: String

    public init(host: String, port: Int, label: String) {
        self.host = host
        self.port = port
        self.label = label
    }

    public var description: String { "\(label) at \(host):\(port)" }
}

/// What the backend source answers for one request.
public enum IngressResolution: Sendable, Hashable {
    /// READY backends to spread the request over (never empty).
    case ready([IngressBackend])
    /// Nothing can serve the request now: the short explanation goes to the client with a 503.
    case unavailable(String)
}

/// Where the ingress learns, for every request, which instances may serve it.
///
/// Asked once per request, so an instance that stops being READY gets no new request.
public protocol IngressBackendSource: Sendable {
    /// The READY backends of the endpoint, or why there are none. May wait (for example while a
    /// suspended service resumes); the request waits with it.
    func resolve(_ route: IngressRoute) async -> IngressResolution
}

/// Checks bearer tokens presented to the ingress.
public protocol IngressTokenVerifier: Sendable {
    /// The user a valid token belongs to; nil for an unknown or revoked token.
    func user(forToken token: String) -> String?
}

/// The service endpoint one listener serves.
public struct IngressRoute: Sendable, Hashable, CustomStringConvertible {
    /// The service name (upper-case identifier).
    public var service: String
    /// The endpoint name.
    public var endpoint: String

    public init(service: String, endpoint: String) {
        self.service = service
        self.endpoint = endpoint
    }

    public var description: String { "\(service).\(endpoint)" }
}
