import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Readiness and liveness probes over plain HTTP/1.1 on SwiftNIO: `GET http://host:port/path`; status 200
/// is success, anything else (another status, a refused connection, a timeout) is a failure with the
/// the same words for every failure.
///
/// Cheaper per probe than an AsyncHTTPClient-based prober (no client state machines, URL parsing or connection-pool
/// bookkeeping): one connection per instance's port is kept alive between probes, and a kept
/// connection that turns out closed when it is used is replaced by a new one within the same probe.
/// Redirects are not followed: SPCS counts only a 200 as ready.
public final class NIOProber: Prober {
    /// The most of a response body a probe reads before it stops (the body is otherwise ignored).
    public static let maxBodyBytes = 64 * 1024

    private let group: any EventLoopGroup
    /// Connections kept by the async ``probe(host:port:path:timeout:)``, by `host:port/path`.
    private let idle = Mutex<[String: [ProbeConnection]]>([:])

    /// A prober on `group` (NIO's shared event loops by default); ``shutdown()`` closes its connections.
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    /// Closes the connections kept by ``probe(host:port:path:timeout:)``.
    public func shutdown() async {
        let connections = idle.withLock { idle in
            defer { idle = [:] }
            return idle.values.flatMap { $0 }
        }
        for connection in connections { try? await connection.channel.close() }
    }

    /// Runs one probe from async code (on one of the prober's event loops), keeping the connection
    /// for the next call with the same host, port and path.
    public func probe(host: String, port: Int, path: String, timeout: Duration) async -> ProbeResult {
        let key = "\(host):\(port)\(path)"
        let kept = idle.withLock { idle -> ProbeConnection? in
            defer { if idle[key]?.isEmpty == true { idle[key] = nil } }
            return idle[key]?.popLast()
        }
        let request = ProbeRequest(host: host, port: port, path: path, timeout: timeout)
        guard let answer = try? await probe(request, over: kept, on: group.next()).get() else {
            return .failure("probe abandoned")
        }
        if let connection = answer.connection {
            idle.withLock { $0[key, default: []].append(connection) }
        }
        return answer.result
    }

    public func probe(
        _ request: ProbeRequest, over connection: ProbeConnection?, on loop: any EventLoop
    ) -> EventLoopFuture<ProbeAnswer> {
        // One promise per probe: every step below completes it directly (no chain of futures).
        let promise = loop.makePromise(of: ProbeAnswer.self)
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(request.timeout))
        if let connection, connection.isActive {
            // A kept connection closed by the other side (a restarted process) is replaced by a new one.
            exchange(request, over: connection, deadline: deadline, promise: promise) { error in
                guard Self.isStale(error) else { return false }
                self.connectAndExchange(request, deadline: deadline, on: loop, promise: promise)
                return true
            }
        } else {
            connection?.close()
            connectAndExchange(request, deadline: deadline, on: loop, promise: promise)
        }
        return promise.futureResult
    }

    private func connectAndExchange(
        _ request: ProbeRequest, deadline: NIODeadline, on loop: any EventLoop,
        promise: EventLoopPromise<ProbeAnswer>
    ) {
        connect(request, deadline: deadline, on: loop).whenComplete { connected in
            switch connected {
            case .success(let connection):
                self.exchange(request, over: connection, deadline: deadline, promise: promise) { _ in false }
            case .failure(let error):
                promise.succeed(ProbeAnswer(result: .failure(self.describe(error, timeout: request.timeout))))
            }
        }
    }

    /// Sends the request over `connection` and completes `promise` with the answer, which keeps the
    /// connection when it may carry the next. A failure goes to `retry` first: true when it took over.
    private func exchange(
        _ request: ProbeRequest, over connection: ProbeConnection, deadline: NIODeadline,
        promise: EventLoopPromise<ProbeAnswer>, retry: @escaping @Sendable (any Error) -> Bool
    ) {
        let send: @Sendable () -> Void = {
            connection.handler.value.send(head: request.head, deadline: deadline) { result in
                switch result {
                case .success(let answer):
                    if !answer.reusable { connection.close() }
                    promise.succeed(
                        ProbeAnswer(
                            result: answer.status == 200 ? .success : .failure("HTTP \(answer.status)"),
                            connection: answer.reusable ? connection : nil))
                case .failure(let error):
                    connection.close()
                    if !retry(error) {
                        promise.succeed(ProbeAnswer(result: .failure(self.describe(error, timeout: request.timeout))))
                    }
                }
            }
        }
        let loop = connection.channel.eventLoop
        if loop.inEventLoop {
            send()
        } else {
            loop.execute { send() }
        }
    }

    private func connect(
        _ request: ProbeRequest, deadline: NIODeadline, on loop: any EventLoop
    ) -> EventLoopFuture<ProbeConnection> {
        let remaining = deadline - .now()
        guard remaining > .zero else { return loop.makeFailedFuture(ProbeConnectionError.timedOut) }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(remaining)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(ProbeRequestWriter(bytes: request.bytes))
                    try pipeline.addHandler(
                        ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try pipeline.addHandler(ProbeHandler(maxBodyBytes: Self.maxBodyBytes))
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let address = request.address {
            switch ImmediateConnect.attempt(address) {
            case .connected(let socket): connected = bootstrap.withConnectedSocket(socket)
            case .refused: return loop.makeFailedFuture(IOError(errnoCode: ECONNREFUSED, reason: "connect"))
            case .undecided: connected = bootstrap.connect(to: address)
            }
        } else {
            connected = bootstrap.connect(host: request.host, port: request.port)
        }
        return connected.flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: ProbeHandler.self)
            return ProbeConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }
    }

    /// True when a kept connection failed before any answer in a way a new connection may not.
    static func isStale(_ error: any Error) -> Bool {
        if let error = error as? ProbeConnectionError { return error == .closed(answered: false) }
        if let error = error as? IOError { return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE }
        if let error = error as? ChannelError { return error == .ioOnClosedChannel || error == .alreadyClosed }
        return false
    }

    private func describe(_ error: any Error, timeout: Duration) -> String {
        switch error as? ProbeConnectionError {
        case .timedOut: "timed out after \(timeout)"
        case .closed: "connection closed by the container before it answered"
        case nil: Self.describe(error, timeout: timeout)
        }
    }

    /// Short words for a failed probe: "connection refused", "timed out after 1s", …
    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error, timeout: timeout) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve host '\(error.host)'" }
            return "cannot connect to \(error.host):\(error.port)"
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return "\(error)"
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return "timed out after \(timeout)"
        }
        return "\(error)"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return Int64.max }
        return max(0, total + attoseconds / 1_000_000_000)
    }
}
