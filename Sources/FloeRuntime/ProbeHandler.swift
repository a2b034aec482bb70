import NIOCore
import NIOHTTP1

/// One probe at a time over one HTTP/1.1 connection: writes `GET path` and calls back with the status
/// of the answer once it has been read to its end (so the connection can carry the next probe).
///
/// Cheap per probe: the answer goes straight to the caller's callback (no future chain), and the
/// timeout is kept by the event loop's ``ProbeTimeouts``, one timer for every connection of the loop.
final class ProbeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// A complete answer: its status, and whether the connection may carry another request.
    struct Answer: Sendable {
        var status: Int
        var reusable: Bool
    }

    typealias Completion = (Result<Answer, any Error>) -> Void

    private var context: ChannelHandlerContext?
    private var pending: Completion?
    private var status: Int?
    private var keepAlive = true
    private var received = 0
    private var timeouts: ProbeTimeouts?
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        timeouts = ProbeTimeouts.current(on: context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(ProbeConnectionError.closed(answered: status != nil)))
        self.context = nil
    }

    /// Sends one request; `completion` gets the answer, or a ``ProbeConnectionError`` (or an I/O error),
    /// exactly once, on the channel's event loop. Must run on that loop.
    func send(head: HTTPRequestHead, deadline: NIODeadline, completion: @escaping Completion) {
        guard let context, context.channel.isActive, pending == nil else {
            completion(.failure(ProbeConnectionError.closed(answered: false)))
            return
        }
        pending = completion
        status = nil
        keepAlive = true
        received = 0
        // The request writer below the decoder turns the head into the request's prepared bytes.
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        // The write may have failed and finished the probe already.
        if pending != nil { timeouts?.sent(self, deadline: deadline) }
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
                finish(.success(Answer(status: status, reusable: false)))
                context.close(promise: nil)
            }
        case .end:
            if let status { finish(.success(Answer(status: status, reusable: keepAlive))) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ProbeConnectionError.closed(answered: status != nil)))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    /// Called by ``ProbeTimeouts`` when the pending probe's deadline has passed without an answer.
    func deadlinePassed() {
        guard pending != nil else { return }
        finish(.failure(ProbeConnectionError.timedOut))
        context?.close(promise: nil)
    }

    private func finish(_ result: Result<Answer, any Error>) {
        guard let completion = pending else { return }
        pending = nil
        timeouts?.answered(self)
        completion(result)
    }
}

/// Why a probe over a connection got no answer.
enum ProbeConnectionError: Error, Equatable {
    /// The connection closed; `answered` when the status line had arrived.
    case closed(answered: Bool)
    /// No complete answer within the probe's timeout.
    case timedOut
}
