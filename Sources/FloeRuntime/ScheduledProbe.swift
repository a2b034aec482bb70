/// One probe loop that ``ProbeScheduler`` runs: what to ask, how often, and how it counts.
public struct ScheduledProbe: Sendable {
    /// Readiness gates traffic and is probed quickly until its first success; liveness restarts
    /// the container and starts one period after the container did.
    public enum Kind: Sendable, Hashable {
        case readiness
        case liveness
    }

    public var kind: Kind
    /// What each probe asks (host, port, path, timeout), prepared once for the whole loop.
    public var request: ProbeRequest
    /// Time between two probes once the quick start is over (SPCS `periodSeconds`).
    public var period: Duration

    public init(kind: Kind, host: String, port: Int, path: String, period: Duration, timeout: Duration = .seconds(1)) {
        self.kind = kind
        self.request = ProbeRequest(host: host, port: port, path: path, timeout: timeout)
        self.period = period
    }
}

/// A probe answer that counts: what the owner of a ``ProbeScheduler`` is told.
public struct ProbeReport: Sendable {
    /// The probe loop, as given to ``ProbeScheduler/add(_:_:)``.
    public var id: Int
    public var result: ProbeResult

    public init(id: Int, result: ProbeResult) {
        self.id = id
        self.result = result
    }
}
