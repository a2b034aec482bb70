import FloeIngress
import FloeSpec

/// A `public: true` endpoint of a service of the stage: it gets an ingress listener.
public struct PublicEndpoint: Sendable, Hashable {
    public var service: ObjectName
    public var endpoint: String
    /// The service header's `ingressPort` (for its first public endpoint); nil = from floed's range.
    public var fixedPort: Int?

    public init(service: ObjectName, endpoint: String, fixedPort: Int?) {
        self.service = service
        self.endpoint = endpoint
        self.fixedPort = fixedPort
    }

    /// The listener's route.
    public var route: IngressRoute { IngressRoute(service: service.value, endpoint: endpoint) }

    /// The key the allocated port is kept under (`SERVICE.endpoint`).
    public var bookKey: String { "\(service.value).\(endpoint)" }
}
