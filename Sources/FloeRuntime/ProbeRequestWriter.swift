import NIOCore
import NIOHTTP1

/// Writes a probe's request as the bytes prepared once for its probe loop (``ProbeRequest/bytes``),
/// in place of NIO's request encoder and header validator, which would encode and check the same head
/// again for every probe. It sits below the response decoder, which still sees the request head (it
/// needs it to read the answer).
final class ProbeRequestWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    private let bytes: ByteBuffer

    init(bytes: ByteBuffer) {
        self.bytes = bytes
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .body, .end:
            // A probe is a GET without a body: its prepared bytes end with the head.
            promise?.succeed(())
        }
    }
}
