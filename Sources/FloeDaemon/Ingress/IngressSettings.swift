/// floed's ingress settings (config keys `ingressAddress`, `ingressPorts`, `ingressResumeSeconds`).
public struct IngressSettings: Sendable, Hashable {
    /// The address listeners bind to.
    public var address: String
    /// The ports allocated to public endpoints without a fixed `ingressPort`.
    public var ports: ClosedRange<Int>
    /// How long a request to a suspended (or resuming) service waits for a READY instance.
    public var resumeTimeout: Duration

    public init(
        address: String = "127.0.0.1", ports: ClosedRange<Int> = 8400...8499,
        resumeTimeout: Duration = .seconds(60)
    ) {
        self.address = address
        self.ports = ports
        self.resumeTimeout = resumeTimeout
    }
}
