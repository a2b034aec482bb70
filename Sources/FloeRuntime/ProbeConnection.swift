import NIOCore

/// A connection kept between two probes of the same request, with its probe handler.
public final class ProbeConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ProbeHandler>

    init(channel: any Channel, handler: NIOLoopBound<ProbeHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// True while the other side has not closed it.
    public var isActive: Bool { channel.isActive }

    /// Closes it (a probe loop that stops).
    public func close() {
        channel.close(promise: nil)
    }
}
