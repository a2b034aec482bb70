import NIOCore
import NIOHTTP1
import NIOPosix

/// The client side of one ingress connection: checks the token, asks for backends, connects to
/// one (keeping idle instance connections for the next request) and streams both ways with
/// back-pressure. A WebSocket upgrade turns both connections into a byte relay after the
/// instance's 101.
final class IngressServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// One request in flight to an instance.
    final class Exchange {
        let backend: IngressBackend
        let channel: Channel
        let handler: IngressUpstreamHandler
        let clientKeepAlive: Bool
        let clientVersion: HTTPVersion
        let upgrade: Bool
        /// The request as received and as sent, for a retry on a fresh connection.
        let head: HTTPRequestHead
        let upstreamHead: HTTPRequestHead
        /// True when the connection was kept from an earlier request (the instance may close it
        /// just as the request goes out: then a request without a body is sent again).
        let reused: Bool
        var sentBody = false
        /// The instance's 101, until its message ends and the connections become a relay.
        var switching: HTTPResponseHead?
        var requestDone = false
        var responseStarted = false
        var responseDone = false
        var upstreamKeepAlive = true
        var closeClient = false

        init(
            backend: IngressBackend, channel: Channel, handler: IngressUpstreamHandler, head: HTTPRequestHead,
            upstreamHead: HTTPRequestHead, reused: Bool
        ) {
            self.backend = backend
            self.channel = channel
            self.handler = handler
            self.head = head
            self.upstreamHead = upstreamHead
            self.reused = reused
            self.upgrade = ProxyHeaders.isWebSocketUpgrade(head)
            // After an upgrade request the request decoder reads no further requests.
            self.clientKeepAlive = head.isKeepAlive && !upgrade
            self.clientVersion = head.version
        }
    }

    enum State {
        /// Waiting for a request.
        case idle
        /// Waiting for backends or a connection; request parts are held.
        case connecting(head: HTTPRequestHead, upstream: HTTPRequestHead, held: [HTTPServerRequestPart], done: Bool)
        case forwarding(Exchange)
        /// A local answer (401, 502, 503) was sent; the rest of the request body is dropped.
        case answered(close: Bool)
        case upgraded
        case closed
    }

    private let shared: IngressProxyContext
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var readPending = false
    private var clientNeedsFlush = false
    private var upstreamNeedsFlush = false
    /// Open connections to instances between requests, one per backend.
    private var idle: [IngressBackend: (Channel, IngressUpstreamHandler)] = [:]

    init(shared: IngressProxyContext) {
        self.shared = shared
    }

    /// True while the client connection can take more response bytes.
    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .idle:
            if case .head(let head) = part { begin(head, context: context) }
        case .connecting(let head, let upstream, var held, _):
            let done: Bool
            if case .end = part { done = true } else { done = false }
            held.append(part)
            state = .connecting(head: head, upstream: upstream, held: held, done: done)
        case .forwarding(let exchange):
            guard !exchange.requestDone else { return }
            switch part {
            case .head: break
            case .body(let bytes):
                if !exchange.responseDone {
                    exchange.sentBody = true
                    exchange.channel.write(HTTPClientRequestPart.body(.byteBuffer(bytes)), promise: nil)
                    upstreamNeedsFlush = true
                }
            case .end(let trailers):
                exchange.requestDone = true
                if !exchange.responseDone {
                    exchange.channel.writeAndFlush(HTTPClientRequestPart.end(trailers), promise: nil)
                    upstreamNeedsFlush = false
                }
                if exchange.responseDone { finish(exchange) }
            }
        case .answered(let close):
            if case .end = part {
                if close { context.close(promise: nil) } else { state = .idle }
            }
        case .upgraded, .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if upstreamNeedsFlush, case .forwarding(let exchange) = state {
            exchange.channel.flush()
        }
        upstreamNeedsFlush = false
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        switch state {
        case .connecting:
            readPending = true
        case .forwarding(let exchange) where !exchange.requestDone && !exchange.channel.isWritable:
            readPending = true
        default:
            context.read()
        }
    }

    private func resumeClientReading() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .forwarding(let exchange) = state {
            exchange.handler.resumeReading()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .forwarding(let exchange) = state {
            exchange.handler.delegate = nil
            exchange.channel.close(promise: nil)
        }
        state = .closed
        for (channel, _) in idle.values { channel.close(promise: nil) }
        idle.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// A request head arrived: check the token, then ask for backends (reading pauses meanwhile).
    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let token = ProxyHeaders.bearerToken(head.headers)
        let user = token.flatMap { shared.verifier?.user(forToken: $0) }
        if shared.configuration.requireToken && user == nil {
            let why =
                token == nil
                ? "This endpoint needs an access token: send 'Authorization: Bearer TOKEN' "
                    + "(create one with 'floectl token create NAME').\n"
                : "The access token is not valid (unknown or revoked); create one with 'floectl token create NAME'.\n"
            answer(
                .unauthorized, why, keepAlive: head.isKeepAlive && !ProxyHeaders.isWebSocketUpgrade(head),
                requestDone: false, extra: [("WWW-Authenticate", "Bearer")])
            return
        }
        let upstream = ProxyHeaders.upstreamRequest(
            head, client: context.channel.remoteAddress?.ipAddress, user: user, dropAuthorization: user != nil)
        state = .connecting(head: head, upstream: upstream, held: [], done: false)
        let promise = context.eventLoop.makePromise(of: IngressResolution.self)
        let source = shared.source
        let route = shared.route
        promise.completeWithTask { await source.resolve(route) }
        promise.futureResult.assumeIsolated().whenSuccess { resolution in
            self.resolved(resolution)
        }
    }

    private func resolved(_ resolution: IngressResolution) {
        guard case .connecting(let head, _, _, let done) = state else { return }
        switch resolution {
        case .unavailable(let message):
            answer(
                .serviceUnavailable, message.hasSuffix("\n") ? message : message + "\n",
                keepAlive: head.isKeepAlive && !ProxyHeaders.isWebSocketUpgrade(head), requestDone: done)
        case .ready(let backends):
            connect(shared.ordered(backends)[...], tried: [])
        }
    }

    /// Connects to the first backend that answers (an idle connection to it first).
    private func connect(_ candidates: ArraySlice<IngressBackend>, tried: [String], fresh: Bool = false) {
        guard let context, case .connecting(let head, _, _, let done) = state else { return }
        guard let backend = candidates.first else {
            let list = tried.joined(separator: "; ")
            answer(
                .badGateway,
                "No READY instance of \(shared.route.service) accepted the connection (\(list)); "
                    + "check 'floectl status \(shared.route.service)' and its logs.\n",
                keepAlive: head.isKeepAlive, requestDone: done)
            return
        }
        if !fresh, let (channel, handler) = idle.removeValue(forKey: backend), channel.isActive {
            start(backend: backend, channel: channel, handler: handler, reused: true)
            return
        }
        let timeout = TimeAmount.nanoseconds(
            Int64(shared.configuration.connectTimeout.components.seconds) * 1_000_000_000
                + shared.configuration.connectTimeout.components.attoseconds / 1_000_000_000)
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Informational answers (100 Continue) are passed on; bytes after a 101 too.
                    let decoder = HTTPResponseDecoder(
                        leftOverBytesStrategy: .forwardBytes, informationalResponseStrategy: .forward)
                    try channel.pipeline.syncOperations.addHandlers([
                        HTTPRequestEncoder(), ByteToMessageHandler(decoder), IngressUpstreamHandler(),
                    ])
                }
            }
            .connect(host: backend.host, port: backend.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard let handler = try? channel.pipeline.syncOperations.handler(type: IngressUpstreamHandler.self)
                    else {
                        channel.close(promise: nil)
                        self.connect(candidates.dropFirst(), tried: tried + ["\(backend): no handler"])
                        return
                    }
                    guard case .connecting = self.state else {
                        channel.close(promise: nil)
                        return
                    }
                    self.start(backend: backend, channel: channel, handler: handler, reused: false)
                case .failure(let error):
                    self.connect(candidates.dropFirst(), tried: tried + ["\(backend): \(error)"])
                }
            }
    }

    /// Sends the request (and the parts held meanwhile) to the instance; reading resumes.
    private func start(backend: IngressBackend, channel: Channel, handler: IngressUpstreamHandler, reused: Bool) {
        guard case .connecting(let head, let upstream, let held, _) = state else { return }
        let exchange = Exchange(
            backend: backend, channel: channel, handler: handler, head: head, upstreamHead: upstream, reused: reused)
        handler.delegate = self
        state = .forwarding(exchange)
        channel.write(HTTPClientRequestPart.head(upstream), promise: nil)
        for part in held {
            switch part {
            case .head: break
            case .body(let bytes):
                exchange.sentBody = true
                channel.write(HTTPClientRequestPart.body(.byteBuffer(bytes)), promise: nil)
            case .end(let trailers):
                channel.write(HTTPClientRequestPart.end(trailers), promise: nil)
                exchange.requestDone = true
            }
        }
        channel.flush()
        resumeClientReading()
    }

    /// A plain-text answer of the ingress itself.
    private func answer(
        _ status: HTTPResponseStatus, _ text: String, keepAlive: Bool, requestDone: Bool,
        extra: [(String, String)] = []
    ) {
        guard let context else { return }
        // An unfinished request body would have to be read to the end first: close instead.
        let close = !keepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        for (name, value) in extra { headers.add(name: name, value: value) }
        if close { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if requestDone {
            if close { context.close(promise: nil) } else { state = .idle }
        } else {
            state = .answered(close: close)
        }
        resumeClientReading()
    }

    // MARK: Instance side

    func upstreamRead(_ part: HTTPClientResponsePart, from channel: Channel) {
        guard let context, case .forwarding(let exchange) = state, exchange.channel === channel else { return }
        switch part {
        case .head(let head):
            if exchange.upgrade && head.status == .switchingProtocols {
                // The decoder ends the 101 message next; the pipelines change after that.
                exchange.switching = head
                return
            }
            if head.status.code < 200 {
                // 100 Continue and the like go to the client as they come (not a 101 nobody asked for).
                if head.status != .switchingProtocols {
                    let out = HTTPResponseHead(
                        version: exchange.clientVersion, status: head.status,
                        headers: ProxyHeaders.endToEnd(head.headers))
                    context.writeAndFlush(wrapOutboundOut(.head(out)), promise: nil)
                }
                return
            }
            exchange.responseStarted = true
            exchange.upstreamKeepAlive = head.isKeepAlive
            // A refused upgrade leaves the request decoder waiting for raw bytes: close afterwards.
            exchange.closeClient = !exchange.clientKeepAlive || exchange.upgrade
            let out = ProxyHeaders.downstreamResponse(
                head, keepAlive: !exchange.closeClient, clientVersion: exchange.clientVersion)
            context.write(wrapOutboundOut(.head(out)), promise: nil)
            clientNeedsFlush = true
        case .body(let bytes):
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
            clientNeedsFlush = true
        case .end(let trailers):
            if let head = exchange.switching {
                upgrade(exchange, head: head, context: context)
                return
            }
            exchange.responseDone = true
            clientNeedsFlush = false
            if exchange.closeClient {
                context.writeAndFlush(wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            }
            if exchange.requestDone {
                finish(exchange)
            } else {
                // The instance answered before the request ended: its connection cannot be reused.
                exchange.upstreamKeepAlive = false
                exchange.handler.delegate = nil
                exchange.channel.close(promise: nil)
            }
        }
    }

    func upstreamReadComplete() {
        guard clientNeedsFlush, let context else { return }
        clientNeedsFlush = false
        context.flush()
    }

    func upstreamWritabilityChanged(_ channel: Channel) {
        if channel.isWritable, case .forwarding(let exchange) = state, exchange.channel === channel {
            resumeClientReading()
        }
    }

    func upstreamClosed(_ channel: Channel) {
        for (backend, entry) in idle where entry.0 === channel { idle[backend] = nil }
        guard let context, case .forwarding(let exchange) = state, exchange.channel === channel,
            !exchange.responseDone
        else { return }
        exchange.handler.delegate = nil
        if exchange.reused && !exchange.responseStarted && !exchange.sentBody {
            // A kept connection the instance closed meanwhile: send the request again on a new one.
            let held: [HTTPServerRequestPart] = exchange.requestDone ? [.end(nil)] : []
            state = .connecting(
                head: exchange.head, upstream: exchange.upstreamHead, held: held, done: exchange.requestDone)
            connect([exchange.backend], tried: [], fresh: true)
            return
        }
        if exchange.responseStarted {
            // Part of the answer went out already: the client learns of the failure by the close.
            context.flush()
            context.close(promise: nil)
            return
        }
        answer(
            .badGateway,
            "Instance \(exchange.backend) closed the connection without answering; "
                + "check 'floectl logs \(shared.route.service)'.\n", keepAlive: false, requestDone: true)
    }

    /// The exchange is over: keep the instance connection for the next request when it allows.
    private func finish(_ exchange: Exchange) {
        exchange.handler.delegate = nil
        if exchange.upstreamKeepAlive && exchange.channel.isActive && !exchange.closeClient {
            if let (old, _) = idle.updateValue((exchange.channel, exchange.handler), forKey: exchange.backend),
                old !== exchange.channel
            {
                old.close(promise: nil)
            }
        } else {
            exchange.channel.close(promise: nil)
        }
        state = exchange.closeClient ? .closed : .idle
        resumeClientReading()
    }

    /// The instance switched protocols: pass its 101 on, then both connections relay raw bytes.
    private func upgrade(_ exchange: Exchange, head: HTTPResponseHead, context: ChannelHandlerContext) {
        var headers = ProxyHeaders.endToEnd(head.headers)
        headers.replaceOrAdd(name: "Connection", value: "Upgrade")
        headers.replaceOrAdd(name: "Upgrade", value: head.headers["upgrade"].first ?? "websocket")
        context.writeAndFlush(
            wrapOutboundOut(
                .head(HTTPResponseHead(version: exchange.clientVersion, status: head.status, headers: headers))),
            promise: nil)
        state = .upgraded
        exchange.handler.delegate = nil
        let client = context.channel
        let instance = exchange.channel
        let clientRelay = IngressRelayHandler()
        let instanceRelay = IngressRelayHandler()
        clientRelay.partner = instance
        clientRelay.partnerRelay = instanceRelay
        instanceRelay.partner = client
        instanceRelay.partnerRelay = clientRelay
        do {
            // The client side first: the instance's early bytes must find a raw pipeline there.
            let ops = client.pipeline.syncOperations
            try ops.addHandler(clientRelay)
            if let h = try? ops.handler(type: HTTPServerPipelineHandler.self) { _ = ops.removeHandler(h) }
            if let h = try? ops.handler(type: HTTPServerProtocolErrorHandler.self) { _ = ops.removeHandler(h) }
            if let h = try? ops.handler(type: NIOHTTPResponseHeadersValidator.self) { _ = ops.removeHandler(h) }
            _ = ops.removeHandler(self)
            if let h = try? ops.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) {
                _ = ops.removeHandler(h)
            }
            if let h = try? ops.handler(type: HTTPResponseEncoder.self) { _ = ops.removeHandler(h) }
            let up = instance.pipeline.syncOperations
            _ = up.removeHandler(exchange.handler)
            try up.addHandler(instanceRelay)
            if let h = try? up.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self) { _ = up.removeHandler(h) }
            if let h = try? up.handler(type: HTTPRequestEncoder.self) { _ = up.removeHandler(h) }
            client.read()
            instance.read()
        } catch {
            client.close(promise: nil)
            instance.close(promise: nil)
        }
    }
}
