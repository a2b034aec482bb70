import NIOCore

/// The answer of one probe.
public enum ProbeResult: Sendable, Hashable {
    /// HTTP 200.
    case success
    /// Anything else: refused, timed out, another status; with words for events.
    case failure(String)
}

/// Runs readiness and liveness probes: HTTP GET `http://host:port/path`, 200 = success.
///
/// ``NIOProber`` is the real one; ``ProbeScheduler`` drives a prober on one event loop, and its tests
/// drive it with a fake that answers at once.
public protocol Prober: Sendable {
    /// Runs one probe, bounded by `timeout`. The future completes on `loop` and never fails: every
    /// failure is a ``ProbeResult/failure(_:)``.
    func probe(host: String, port: Int, path: String, timeout: Duration, on loop: any EventLoop)
        -> EventLoopFuture<ProbeResult>
}
