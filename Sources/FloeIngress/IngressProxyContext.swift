import Synchronization

/// What every connection of one listener shares: the route, where backends come from, how tokens
/// are checked, and the round-robin position.
final class IngressProxyContext: Sendable {
    let route: IngressRoute
    let configuration: IngressConfiguration
    let source: any IngressBackendSource
    let verifier: (any IngressTokenVerifier)?
    private let next = Mutex(0)

    init(
        route: IngressRoute, configuration: IngressConfiguration, source: any IngressBackendSource,
        verifier: (any IngressTokenVerifier)?
    ) {
        self.route = route
        self.configuration = configuration
        self.source = source
        self.verifier = verifier
    }

    /// The backends in the order to try them: round-robin over requests, the rest after it as
    /// fall-backs when connecting fails.
    func ordered(_ backends: [IngressBackend]) -> [IngressBackend] {
        guard backends.count > 1 else { return backends }
        let start = next.withLock { value in
            defer { value &+= 1 }
            return value
        }
        let offset = Int(UInt(bitPattern: start) % UInt(backends.count))
        return Array(backends[offset...] + backends[..<offset])
    }
}
