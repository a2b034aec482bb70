import FloeIngress
import Foundation
import Logging

/// Opens and closes one ingress listener per public endpoint as services come and go, and
/// keeps allocated ports across restarts (``IngressPortBook``).
actor IngressManager {
    let settings: IngressSettings
    let source: any IngressBackendSource
    let tokens: AccessTokenStore
    let logger: Logger
    private var book: IngressPortBook
    private var listeners: [PublicEndpoint: IngressServer] = [:]
    /// Why an endpoint has no listener (reported once per new reason).
    private var problems: [IngressRoute: String] = [:]

    init(
        settings: IngressSettings, stateDirectory: String, source: any IngressBackendSource, tokens: AccessTokenStore,
        logger: Logger
    ) throws {
        self.settings = settings
        self.source = source
        self.tokens = tokens
        self.logger = logger
        self.book = try IngressPortBook(stateDirectory: stateDirectory, logger: logger)
    }

    /// True when requests must carry a token: the listeners are reachable from other machines.
    var requireToken: Bool { !IngressConfiguration.isLoopback(settings.address) }

    /// Makes the listeners match `endpoints`. With `complete` (the whole stage has been read),
    /// ports kept for endpoints that are gone are released.
    func apply(_ endpoints: [PublicEndpoint], complete: Bool) async {
        let wanted = Set(endpoints)
        for (endpoint, server) in listeners where !wanted.contains(endpoint) {
            await server.close()
            listeners[endpoint] = nil
            logger.info("ingress for \(endpoint.route) closed (port \(server.port))")
        }
        // Ports fixed by a header are never handed out from the range to another endpoint.
        let reserved = Set(endpoints.compactMap(\.fixedPort))
        for endpoint in endpoints where listeners[endpoint] == nil {
            await open(endpoint, reserved: reserved)
        }
        for route in problems.keys where !wanted.contains(where: { $0.route == route }) { problems[route] = nil }
        if complete { book.retain(only: Set(endpoints.map(\.bookKey)), logger: logger) }
    }

    private func open(_ endpoint: PublicEndpoint, reserved: Set<Int>) async {
        let busy = Set(listeners.values.map(\.port)).union(endpoint.fixedPort == nil ? reserved : [])
        var candidates: [Int]
        if let fixed = endpoint.fixedPort {
            candidates = [fixed]
        } else if let kept = book.port(for: endpoint.bookKey), !busy.contains(kept) {
            candidates = [kept]
        } else {
            candidates = []
        }
        var tried = busy
        var lastError = ""
        for _ in 0..<min(settings.ports.count, 32) {
            if candidates.isEmpty {
                guard endpoint.fixedPort == nil, let next = book.free(in: settings.ports, busy: tried) else { break }
                candidates = [next]
            }
            let port = candidates.removeFirst()
            tried.insert(port)
            let configuration = IngressConfiguration(host: settings.address, port: port, requireToken: requireToken)
            do {
                let server = try await IngressServer.start(
                    route: endpoint.route, configuration: configuration, source: source, verifier: tokens)
                listeners[endpoint] = server
                if endpoint.fixedPort == nil { book.keep(port, for: endpoint.bookKey, logger: logger) }
                problems[endpoint.route] = nil
                logger.info("ingress for \(endpoint.route) listens on \(url(port: port))")
                return
            } catch {
                lastError = error.description
                if endpoint.fixedPort != nil { break }
            }
        }
        let message =
            lastError.isEmpty
            ? "no free port left in ingressPorts \(settings.ports.lowerBound)-\(settings.ports.upperBound); "
                + "widen the range in floed's config"
            : lastError
        if problems[endpoint.route] != message {
            problems[endpoint.route] = message
            logger.error("ingress for \(endpoint.route): \(message)")
        }
    }

    /// The ingress URL of each endpoint that has a listener.
    func urls() -> [IngressRoute: String] {
        var result: [IngressRoute: String] = [:]
        for (endpoint, server) in listeners { result[endpoint.route] = url(port: server.port) }
        return result
    }

    /// `http://HOST:PORT`; a wildcard address shows the machine's name.
    nonisolated func url(port: Int) -> String {
        var host = settings.address
        if host == "0.0.0.0" || host == "::" {
            host = ProcessInfo.processInfo.hostName
        } else if host.contains(":") {
            host = "[\(host)]"
        }
        return "http://\(host):\(port)"
    }

    /// Closes every listener (floed stops).
    func closeAll() async {
        for server in listeners.values { await server.close() }
        listeners.removeAll()
    }
}
