import NIOCore
import NIOHTTP1

/// One probe at a time over one HTTP/1.1 connection: writes `GET path` and completes with the status
/// of the answer once it has been read to its end (so the connection can carry the next probe).
final class ProbeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// A complete answer: its status, and whether the connection may carry another request.
    struct Answer: Sendable {
        var status: Int
        var reusable: Bool
    }

    private var context: ChannelHandlerContext?
    private var pending: EventLoopPromise<Answer>?
    private var status: Int?
    private var keepAlive = true
    private var received = 0
    private var timer: Scheduled<Void>?
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(ProbeConnectionError.closed(answered: status != nil))
        self.context = nil
    }

    /// Sends one request; `promise` gets the answer, or a ``ProbeConnectionError`` (or an I/O error).
    /// Must run on the channel's event loop.
    func send(head: HTTPRequestHead, timeout: TimeAmount, promise: EventLoopPromise<Answer>) {
        guard let context, context.channel.isActive, pending == nil else {
            promise.fail(ProbeConnectionError.closed(answered: false))
            return
        }
        pending = promise
        status = nil
        keepAlive = true
        received = 0
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            bound.value.timedOut()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
        case .body(let buffer):
            received += buffer.readableBytes
            // An answer too long to read is not worth keeping the connection for.
            if received > maxBodyBytes, let status {
                succeed(Answer(status: status, reusable: false))
                context.close(promise: nil)
            }
        case .end:
            if let status { succeed(Answer(status: status, reusable: keepAlive)) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ProbeConnectionError.closed(answered: status != nil))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func timedOut() {
        timer = nil
        guard pending != nil else { return }
        fail(ProbeConnectionError.timedOut)
        context?.close(promise: nil)
    }

    private func succeed(_ answer: Answer) {
        timer?.cancel()
        timer = nil
        let promise = pending
        pending = nil
        promise?.succeed(answer)
    }

    private func fail(_ error: any Error) {
        timer?.cancel()
        timer = nil
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}

/// Why a probe over a connection got no answer.
enum ProbeConnectionError: Error, Equatable {
    /// The connection closed; `answered` when the status line had arrived.
    case closed(answered: Bool)
    /// No complete answer within the probe's timeout.
    case timedOut
}
