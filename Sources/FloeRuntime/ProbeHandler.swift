import NIOCore
import NIOHTTP1

/// One probe at a time over one HTTP/1.1 connection: writes `GET path` and calls back with the status
/// of the answer once it has been read to its end (so the connection can carry the next probe).
///
/// Cheap per probe: the answer goes straight to the caller's callback (no future chain), and the
/// timeout is one timer per connection that is left to fire rather than cancelled and scheduled again
/// for every probe (an answer usually comes long before it; when it fires with a later probe out, it
/// re-arms for that probe's deadline).
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
    private var deadline = NIODeadline.distantFuture
    private var status: Int?
    private var keepAlive = true
    private var received = 0
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(ProbeConnectionError.closed(answered: status != nil)))
        timer?.cancel()
        timer = nil
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
        self.deadline = deadline
        status = nil
        keepAlive = true
        received = 0
        // The request writer below the decoder turns the head into the request's prepared bytes.
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
        armTimer()
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

    /// Keeps the connection's one timer no later than the pending probe's deadline.
    private func armTimer() {
        guard let context, timerAt > deadline else { return }
        timer?.cancel()
        timerAt = deadline
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            bound.value.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerAt = .distantFuture
        guard pending != nil else { return }
        if NIODeadline.now() >= deadline {
            finish(.failure(ProbeConnectionError.timedOut))
            context?.close(promise: nil)
        } else {
            armTimer()  // a later probe is out: wait for its deadline
        }
    }

    private func finish(_ result: Result<Answer, any Error>) {
        guard let completion = pending else { return }
        pending = nil
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
