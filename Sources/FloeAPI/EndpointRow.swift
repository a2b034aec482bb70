/// One row of SHOW ENDPOINTS IN SERVICE (`GET /v1/services/{name}/endpoints`).
public struct EndpointRow: Codable, Sendable, Hashable {
    public var name: String
    /// The port, or nil for a port range.
    public var port: Int?
    /// `N-M` for a range, nil for a single port.
    public var portRange: String?
    /// `HTTP` or `TCP`.
    public var `protocol`: String
    public var isPublic: Bool
    /// `http://HOST:PORT` for a public endpoint with a listener; empty otherwise.
    public var ingressURL: String

    public init(name: String, port: Int?, portRange: String?, protocol: String, isPublic: Bool, ingressURL: String) {
        self.name = name
        self.port = port
        self.portRange = portRange
        self.protocol = `protocol`
        self.isPublic = isPublic
        self.ingressURL = ingressURL
    }

    enum CodingKeys: String, CodingKey {
        case name, port
        case portRange = "port_range"
        case `protocol`
        case isPublic = "is_public"
        case ingressURL = "ingress_url"
    }
}
