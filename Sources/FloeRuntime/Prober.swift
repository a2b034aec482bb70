import NIOCore
import NIOHTTP1

/// The answer of one probe.
public enum ProbeResult: Sendable, Hashable {
    /// HTTP 200.
    case success
    /// Anything else: refused, timed out, another status; with words for events.
    case failure(String)
}

/// One probe's request, prepared once per probe loop: `GET http://host:port/path`, within `timeout`.
public struct ProbeRequest: Sendable {
    public var host: String
    public var port: Int
    public var path: String
    public var timeout: Duration
    /// The request head (`Host`, `User-Agent`), built once; the response decoder is told of it.
    let head: HTTPRequestHead
    /// The request's bytes on the wire, encoded once from `head`.
    let bytes: ByteBuffer
    /// The host as an address when it is one (no name resolution per probe).
    let address: SocketAddress?

    public init(host: String, port: Int, path: String, timeout: Duration) {
        self.host = host
        self.port = port
        self.path = path
        self.timeout = timeout
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path.hasPrefix("/") ? path : "/" + path)
        head.headers.add(name: "Host", value: "\(hostPart):\(port)")
        head.headers.add(name: "User-Agent", value: "floe-probe")
        self.head = head
        var wire = "GET \(head.uri) HTTP/1.1\r\n"
        for (name, value) in head.headers { wire += "\(name): \(value)\r\n" }
        self.bytes = ByteBuffer(string: wire + "\r\n")
        self.address = try? SocketAddress(ipAddress: host, port: port)
    }
}

/// A probe's answer, and the connection to use for the next probe of the same request (nil: none
/// to keep, the next probe connects anew).
public struct ProbeAnswer: Sendable {
    public var result: ProbeResult
    public var connection: ProbeConnection?

    public init(result: ProbeResult, connection: ProbeConnection? = nil) {
        self.result = result
        self.connection = connection
    }
}

/// Runs readiness and liveness probes: HTTP GET `http://host:port/path`, 200 = success.
///
/// ``NIOProber`` is the real one; ``ProbeScheduler`` drives a prober on one event loop, and its tests
/// drive it with a fake that answers at once.
public protocol Prober: Sendable {
    /// Runs one probe over `connection` (what the previous answer for the same request handed back)
    /// or a new connection, bounded by the request's timeout. The future completes on `loop` and
    /// never fails: every failure is a ``ProbeResult/failure(_:)``.
    func probe(_ request: ProbeRequest, over connection: ProbeConnection?, on loop: any EventLoop)
        -> EventLoopFuture<ProbeAnswer>
}
