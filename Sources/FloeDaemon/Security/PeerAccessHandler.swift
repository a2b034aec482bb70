import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sits in each control-socket connection after HTTP decoding: reads the client's credentials
/// (`SO_PEERCRED`) once, and answers every request of a client the ``SocketAccessPolicy`` refuses
/// with 403 and the policy's words (JSON `{"error": ...}`), then closes the connection. Requests of
/// allowed clients pass through untouched.
final class PeerAccessHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let policy: SocketAccessPolicy
    let logger: Logger
    /// nil until decided: allowed (nil refusal) or the refusal.
    private var decision: String??
    private var rejecting = false

    init(policy: SocketAccessPolicy, logger: Logger) {
        self.policy = policy
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if decision == nil { decision = .some(decide(context)) }
        guard case .some(.some(let refusal)) = decision else {
            context.fireChannelRead(data)
            return
        }
        guard case .end = part, !rejecting else { return }
        rejecting = true
        logger.warning("control API: refused a client: \(refusal)")
        var body = context.channel.allocator.buffer(capacity: refusal.utf8.count + 16)
        body.writeString(Self.jsonError(refusal))
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .forbidden, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// The refusal for this connection's peer, or nil when it may use the API. A connection whose
    /// credentials cannot be read is refused.
    private func decide(_ context: ChannelHandlerContext) -> String? {
        guard let provider = context.channel as? SocketOptionProvider else {
            return "access denied: floed cannot tell who is connecting"
        }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        // On the channel's event loop the option is read at once; if it were not, the client is refused.
        let box = CredentialsBox()
        future.whenSuccess { box.value = $0 }
        guard let credentials = box.value else { return "access denied: floed cannot tell who is connecting" }
        return policy.refusal(uid: credentials.uid, gid: credentials.gid)
    }

    static func jsonError(_ message: String) -> String {
        var escaped = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "{\"error\":\"\(escaped)\"}"
    }
}

/// `struct ucred` of `SO_PEERCRED` (pid, uid, gid: three 32-bit fields, the same layout).
struct PeerCredentials: Sendable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32
}

/// Carries the credentials out of the future's callback, which runs at once on the event loop.
private final class CredentialsBox: @unchecked Sendable {
    var value: PeerCredentials?
}
