import NIOCore
import NIOHTTP1
import NIOPosix

/// One ingress listener: accepts HTTP/1.1 on an address and port and forwards every request to a
/// READY instance of one service endpoint (see ``IngressBackendSource``).
public final class IngressServer: Sendable {
    /// The route this listener serves.
    public let route: IngressRoute
    /// The port it listens on (the one bound when 0 was asked for).
    public let port: Int
    /// The address it listens on.
    public let host: String
    private let channel: Channel

    private init(route: IngressRoute, host: String, port: Int, channel: Channel) {
        self.route = route
        self.host = host
        self.port = port
        self.channel = channel
    }

    /// Binds the listener and starts serving.
    /// - Throws: ``IngressError/bindFailed(host:port:reason:)`` when the address cannot be bound.
    public static func start(
        route: IngressRoute, configuration: IngressConfiguration, source: any IngressBackendSource,
        verifier: (any IngressTokenVerifier)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(IngressError) -> IngressServer {
        let shared = IngressProxyContext(
            route: route, configuration: configuration, source: source, verifier: verifier)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(IngressServerHandler(shared: shared))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
            let port = channel.localAddress?.port ?? configuration.port
            return IngressServer(route: route, host: configuration.host, port: port, channel: channel)
        } catch {
            throw .bindFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
    }

    /// Stops accepting connections (connections already open finish on their own).
    public func close() async {
        try? await channel.close()
    }
}

/// Why an ingress listener cannot run.
public enum IngressError: Error, CustomStringConvertible, Sendable {
    case bindFailed(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let host, let port, let reason):
            "cannot listen on \(host):\(port) (\(reason)); free the port, or choose another with the service's "
                + "ingressPort or floed's ingressPorts range"
        }
    }
}
