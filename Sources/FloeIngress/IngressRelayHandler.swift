import NIOCore

/// After a protocol switch (WebSocket): copies bytes from its channel to the partner channel, with
/// back-pressure (it stops reading while the partner cannot take more), and closes the partner
/// when its own channel closes. Both channels run on one event loop.
final class IngressRelayHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The channel bytes go to.
    var partner: Channel?
    /// The partner's relay, told when this channel can take more.
    weak var partnerRelay: IngressRelayHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false
    private var needsFlush = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        partner?.write(bytes, promise: nil)
        needsFlush = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            partner?.flush()
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if let partner, !partner.isWritable {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partnerRelay?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    /// The partner can take more: read again if a read was held back.
    func resumeReading() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.flush()
        partner?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
