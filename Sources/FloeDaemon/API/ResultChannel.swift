import NIOCore

/// Hands result chunks from a running function call to the response writer, holding at most
/// `byteCapacity` bytes: the call waits while the client reads slowly, so memory stays bounded. The
/// budget is large (64 MiB) because a simple client (Python's http.client, say) sends its whole
/// request body before it reads any of the answer: results of a big input must wait in floed until
/// then, or neither side moves.
actor ResultChannel {
    /// What the reader gets next.
    enum Event: Sendable {
        case chunk(ByteBuffer)
        /// The call ended: with its row count, or with its error.
        case end(Result<Int, CallFailure>)
    }

    /// A call's error, as an `Error` the channel can carry.
    struct CallFailure: Error, Sendable {
        var error: any Error
    }

    /// Thrown to the call when the reader went away.
    struct Closed: Error {}

    private let byteCapacity: Int
    private var chunks: [ByteBuffer] = []
    private var queuedBytes = 0
    private var end: Result<Int, CallFailure>?
    private var closed = false
    private var reader: CheckedContinuation<Event, Never>?
    private var writer: CheckedContinuation<Void, Never>?

    init(byteCapacity: Int = 64 << 20) {
        self.byteCapacity = byteCapacity
    }

    /// Queues a chunk; waits while the queue is full. Throws ``Closed`` once the reader has gone.
    func send(_ chunk: ByteBuffer) async throws {
        while queuedBytes >= byteCapacity && !closed {
            await withCheckedContinuation { writer = $0 }
        }
        guard !closed else { throw Closed() }
        if let reader {
            self.reader = nil
            reader.resume(returning: .chunk(chunk))
        } else {
            chunks.append(chunk)
            queuedBytes += chunk.readableBytes
        }
    }

    /// The call ended.
    func finish(_ result: Result<Int, CallFailure>) {
        end = result
        if let reader, chunks.isEmpty {
            self.reader = nil
            reader.resume(returning: .end(result))
        }
    }

    /// The next chunk, or the end.
    func next() async -> Event {
        if !chunks.isEmpty {
            let chunk = chunks.removeFirst()
            queuedBytes -= chunk.readableBytes
            wakeWriter()
            return .chunk(chunk)
        }
        if let end { return .end(end) }
        return await withCheckedContinuation { reader = $0 }
    }

    /// The reader has gone: the call's next send throws.
    func close() {
        closed = true
        chunks.removeAll()
        queuedBytes = 0
        wakeWriter()
    }

    private func wakeWriter() {
        if let writer {
            self.writer = nil
            writer.resume()
        }
    }
}
