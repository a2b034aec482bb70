import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// floe's resolver for instances: answers UDP DNS queries on the bridge's gateway address from a
/// ``DNSTable`` and forwards everything else to the host's resolvers (`/etc/resolv.conf` of floed,
/// which runs in the host's namespace, so `127.0.0.53` works).
public final class DNSServer: Sendable {
    let channel: any Channel
    let state: Shared

    /// The table and upstreams, shared with the channel handler.
    final class Shared: Sendable {
        let table = Mutex(DNSTable())
        let upstreams: [SocketAddress]
        let group: any EventLoopGroup

        init(upstreams: [SocketAddress], group: any EventLoopGroup) {
            self.upstreams = upstreams
            self.group = group
        }
    }

    private init(channel: any Channel, state: Shared) {
        self.channel = channel
        self.state = state
    }

    /// Binds `host:port` (UDP) and serves until ``close()``.
    /// - Parameter upstreams: where other names are asked (nil: the nameservers of `/etc/resolv.conf`).
    public static func start(
        host: String, port: Int = 53, upstreams: [SocketAddress]? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> DNSServer {
        let state = Shared(upstreams: upstreams ?? Self.systemResolvers(), group: group)
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(QueryHandler(state: state))
                }
            }
            .bind(host: host, port: port).get()
        return DNSServer(channel: channel, state: state)
    }

    /// The address it listens on.
    public var localAddress: SocketAddress? { channel.localAddress }

    /// Replaces the names it answers for.
    public func update(_ table: DNSTable) {
        state.table.withLock { $0 = table }
    }

    public func close() async {
        try? await channel.close()
    }

    /// The IPv4 nameservers of `/etc/resolv.conf` (port 53).
    static func systemResolvers(path: String = "/etc/resolv.conf") -> [SocketAddress] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return resolvers(in: text)
    }

    static func resolvers(in text: String) -> [SocketAddress] {
        text.split(separator: "\n").compactMap { line -> SocketAddress? in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver", IPv4Address(words[1]) != nil else { return nil }
            return try? SocketAddress(ipAddress: String(words[1]), port: 53)
        }
    }
}

/// Answers or forwards each datagram.
final class QueryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let state: DNSServer.Shared

    init(state: DNSServer.Shared) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let packet = Array(envelope.data.readableBytesView)
        guard let query = DNSQuery(packet: packet) else { return }
        let answer = state.table.withLock { $0.response(to: query) }
        let channel = context.channel
        let client = envelope.remoteAddress
        if let answer {
            let buffer = channel.allocator.buffer(bytes: answer)
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: buffer)), promise: nil)
            return
        }
        let state = self.state
        // Futures, not a Task: the answer must not wait for a free thread of the concurrency pool.
        Forwarder.ask(state.upstreams[...], packet: packet, group: state.group).whenComplete { result in
            let reply = (try? result.get()) ?? nil
            let buffer = channel.allocator.buffer(bytes: reply ?? query.response(.serverFailure))
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: buffer), promise: nil)
        }
    }
}

/// Asks the host's resolvers, one after the other, each for up to two seconds.
enum Forwarder {
    static func ask(
        _ upstreams: ArraySlice<SocketAddress>, packet: [UInt8], group: any EventLoopGroup
    ) -> EventLoopFuture<[UInt8]?> {
        guard let upstream = upstreams.first else { return group.next().makeSucceededFuture(nil) }
        return askOne(upstream, packet: packet, group: group).flatMap { reply in
            if let reply { return group.next().makeSucceededFuture(reply) }
            return ask(upstreams.dropFirst(), packet: packet, group: group)
        }
    }

    static func askOne(_ upstream: SocketAddress, packet: [UInt8], group: any EventLoopGroup) -> EventLoopFuture<
        [UInt8]?
    > {
        let loop = group.next()
        let promise = loop.makePromise(of: [UInt8].self)
        return DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyHandler(promise: promise, id: packet.prefix(2)))
                }
            }
            .bind(host: "0.0.0.0", port: 0)
            .flatMap { channel -> EventLoopFuture<[UInt8]?> in
                let timeout = channel.eventLoop.scheduleTask(in: .seconds(2)) { promise.fail(ForwardTimeout()) }
                let buffer = channel.allocator.buffer(bytes: packet)
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: upstream, data: buffer), promise: nil)
                return promise.futureResult.map { Optional($0) }.recover { _ in nil }.always { _ in
                    timeout.cancel()
                    channel.close(promise: nil)
                }
            }
            .recover { _ in
                promise.fail(ForwardTimeout())
                return nil
            }
    }

    struct ForwardTimeout: Error {}
}

/// Takes the first datagram whose id matches the query's.
final class ReplyHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let promise: EventLoopPromise<[UInt8]>
    let id: [UInt8]

    init(promise: EventLoopPromise<[UInt8]>, id: ArraySlice<UInt8>) {
        self.promise = promise
        self.id = Array(id)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
        if bytes.count >= 12, Array(bytes.prefix(2)) == id {
            promise.succeed(bytes)
        }
    }
}
