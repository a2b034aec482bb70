import AsyncHTTPClient
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Readiness and liveness probes over HTTP/1.1: `GET http://host:port/path`; status 200 is success,
/// anything else (another status, a refused connection, a timeout) is a failure with words for events.
///
/// One ``HTTPClient`` serves all probes (connections are kept alive and reused per host and port), so
/// probing many instances often costs no client or thread creation. Redirects are not followed: SPCS
/// counts only a 200 as ready.
public final class HTTPProber: Prober {
    /// The most of a response body a probe reads before it stops (the body is otherwise ignored).
    public static let maxBodyBytes = 64 * 1024

    private let client: HTTPClient
    private let ownsClient: Bool

    /// A prober using the caller's client; the caller shuts it down. The client should be configured
    /// like ``makeClient()`` (no redirects, no connection retries).
    public init(client: HTTPClient) {
        self.client = client
        self.ownsClient = false
    }

    /// A prober that owns its client (on NIO's shared event loop group); call ``shutdown()`` when done.
    public init() {
        self.client = Self.makeClient()
        self.ownsClient = true
    }

    /// A client configured for probing: no redirects, no connection retries (a refused connection is
    /// reported at once), keep-alive connections per host and port.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        // A refused connection fails the probe at once (the next probe tries again), instead of being
        // retried with backoff until the probe's timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Shuts down the client when this prober owns it; does nothing for a caller's client.
    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    public func probe(host: String, port: Int, path: String, timeout: Duration) async -> ProbeResult {
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let pathPart = path.hasPrefix("/") ? path : "/" + path
        var request = HTTPClientRequest(url: "http://\(hostPart):\(port)\(pathPart)")
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "floe-probe")
        let amount = TimeAmount.nanoseconds(Self.nanoseconds(timeout))
        do {
            let response = try await client.execute(request, timeout: amount)
            // Read (and drop) the body so the connection can be reused, up to a limit.
            var received = 0
            for try await chunk in response.body {
                received += chunk.readableBytes
                if received > Self.maxBodyBytes { break }
            }
            if response.status.code == 200 { return .success }
            return .failure("HTTP \(response.status.code)")
        } catch {
            return .failure(Self.describe(error, timeout: timeout))
        }
    }

    /// Short words for a failed probe: "connection refused", "timed out after 1s", …
    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return "timed out after \(timeout)"
            case .remoteConnectionClosed:
                return "connection closed by the container before it answered"
            default:
                return "\(error)"
            }
        }
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
