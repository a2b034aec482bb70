import Foundation

/// The time as floed's logic sees it: the wall-clock time its records carry, and sleeping until a
/// later time. The reconcile loop, the instance runners and the query side read time only through
/// this, so tests drive them with a manual clock (FloeTesting's `ManualClock`) instead of waiting.
public protocol FloeClock: Sendable {
    /// The current time.
    var now: Date { get }
    /// Sleeps for `duration`; throws `CancellationError` when the task is cancelled first.
    func sleep(for duration: Duration) async throws
}

extension FloeClock {
    /// Sleeps until `date` (at once when it has passed).
    public func sleep(until date: Date) async throws {
        let seconds = date.timeIntervalSince(now)
        try await sleep(for: seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded(.up))) : .zero)
    }
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: FloeClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
