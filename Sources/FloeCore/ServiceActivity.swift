import FloeSpec
import Foundation

/// Why a service is suspended (SPCS ALTER SERVICE ... SUSPEND).
public enum ServiceSuspension: String, Sendable, Hashable, Codable {
    /// `floectl suspend` (or `POST /v1/services/NAME/suspend`) asked for it.
    case requested = "suspended on request"
    /// No ingress or function traffic reached it for its AUTO_SUSPEND_SECS.
    case idle = "idle"
}

/// What floe remembers of one service besides its instances: whether it is suspended, and when
/// traffic last reached it (AUTO_SUSPEND_SECS counts from there).
public struct ServiceActivity: Sendable, Hashable, Codable {
    /// Why the service is suspended; nil while it runs.
    public var suspension: ServiceSuspension?
    /// When it was last suspended.
    public var suspendedAt: Date?
    /// When it was last resumed.
    public var resumedAt: Date?
    /// When ingress or function traffic last reached it, or when floe started counting (the service
    /// appeared, or resumed).
    public var lastActiveAt: Date?

    public init(
        suspension: ServiceSuspension? = nil, suspendedAt: Date? = nil, resumedAt: Date? = nil,
        lastActiveAt: Date? = nil
    ) {
        self.suspension = suspension
        self.suspendedAt = suspendedAt
        self.resumedAt = resumedAt
        self.lastActiveAt = lastActiveAt
    }

    /// True while the service is suspended: its instances are stopped and none are started.
    public var suspended: Bool { suspension != nil }
}

extension World {
    /// True while the service is suspended.
    public func isSuspended(service name: ObjectName) -> Bool {
        services[name]?.suspended == true
    }

    /// Notes ingress or function traffic for a service (its AUTO_SUSPEND_SECS starts again). The
    /// planner reads it on its next pass; no plan is needed for it.
    public mutating func noteTraffic(service name: ObjectName, at now: Date) {
        services[name, default: ServiceActivity()].lastActiveAt = now
    }
}
