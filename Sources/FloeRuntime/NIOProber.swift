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
    private let idle = Mutex<[String: [any Channel]]>([:])

    /// A prober on `group` (NIO's shared event loops by default); ``shutdown()`` closes its connections.
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    /// Closes the connections kept for later probes.
    public func shutdown() async {
        let channels = idle.withLock { idle in
            defer { idle = [:] }
            return idle.values.flatMap { $0 }
        }
        for channel in channels { try? await channel.close() }
    }

    /// Runs one probe from async code (on one of the prober's event loops).
    public func probe(host: String, port: Int, path: String, timeout: Duration) async -> ProbeResult {
        let loop = group.next()
        let result = probe(host: host, port: port, path: path, timeout: timeout, on: loop)
        return (try? await result.get()) ?? .failure("probe abandoned")
    }

    /// Runs one probe; the future completes on `loop` and never fails (a failure is a
    /// ``ProbeResult/failure(_:)`` with words for events). New connections are made on `loop`, so a
    /// caller that always passes the same loop (``ProbeScheduler``) never hops between threads.
    public func probe(
        host: String, port: Int, path: String, timeout: Duration, on loop: any EventLoop
    ) -> EventLoopFuture<ProbeResult> {
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let pathPart = path.hasPrefix("/") ? path : "/" + path
        let key = "\(hostPart):\(port)"
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(timeout))
        let fresh: @Sendable () -> EventLoopFuture<ProbeResult> = {
            self.connect(host: host, port: port, key: key, deadline: deadline, on: loop).flatMap { channel in
                self.answer(channel, key: key, hostHeader: key, path: pathPart, deadline: deadline)
            }
        }
        let answered: EventLoopFuture<ProbeResult>
        if let channel = take(key) {
            // A kept connection closed by the other side (a restarted process) is replaced by a new one.
            answered = answer(channel, key: key, hostHeader: key, path: pathPart, deadline: deadline)
                .hop(to: loop)
                .flatMapError { error in
                    Self.isStale(error) ? fresh() : loop.makeFailedFuture(error)
                }
        } else {
            answered = fresh()
        }
        return answered.hop(to: loop).recover { error in .failure(self.describe(error, timeout: timeout)) }
    }

    /// Sends the request over `channel` and keeps the connection for the next probe when it may be.
    private func answer(
        _ channel: any Channel, key: String, hostHeader: String, path: String, deadline: NIODeadline
    ) -> EventLoopFuture<ProbeResult> {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: ProbeHandler.Answer.self)
        let send: @Sendable () -> Void = {
            do {
                let handler = try channel.pipeline.syncOperations.handler(type: ProbeHandler.self)
                handler.send(
                    hostHeader: hostHeader, path: path, timeout: max(deadline - .now(), .zero), promise: promise)
            } catch {
                promise.fail(error)
            }
        }
        if loop.inEventLoop { send() } else { loop.execute(send) }
        return promise.futureResult.map { answer in
            if answer.reusable {
                self.keep(channel, key: key)
            } else {
                channel.close(promise: nil)
            }
            return answer.status == 200 ? .success : .failure("HTTP \(answer.status)")
        }.flatMapErrorThrowing { error in
            channel.close(promise: nil)
            throw error
        }
    }

    private func connect(
        host: String, port: Int, key: String, deadline: NIODeadline, on loop: any EventLoop
    ) -> EventLoopFuture<any Channel> {
        let remaining = deadline - .now()
        guard remaining > .zero else { return loop.makeFailedFuture(ProbeConnectionError.timedOut) }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(remaining)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ProbeHandler(maxBodyBytes: Self.maxBodyBytes))
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: host, port: port) {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: host, port: port)
        }
        return connected.map { channel in
            // A kept connection the other side closes is forgotten at once.
            channel.closeFuture.whenComplete { [weak self] _ in self?.forget(channel, key: key) }
            return channel
        }
    }

    private func take(_ key: String) -> (any Channel)? {
        idle.withLock { idle in
            while let channel = idle[key]?.popLast() {
                if idle[key]?.isEmpty == true { idle[key] = nil }
                if channel.isActive { return channel }
            }
            return nil
        }
    }

    private func keep(_ channel: any Channel, key: String) {
        idle.withLock { $0[key, default: []].append(channel) }
    }

    private func forget(_ channel: any Channel, key: String) {
        idle.withLock { idle in
            idle[key]?.removeAll { $0 === channel }
            if idle[key]?.isEmpty == true { idle[key] = nil }
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
