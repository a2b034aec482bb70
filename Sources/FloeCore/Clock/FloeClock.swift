import Foundation

/// The time as floed's logic sees it: the wall-clock time its records carry, and sleeping until a
/// later time. The reconcile loop, the instance runners and the query side read time only through
/// this, so tests drive them with a manual clock (FloeTesting's `ManualClock`) instead of waiting.
public protocol FloeClock: Sendable {
    /// The current time.
    var now: Date { get }
    /// Sleeps until `deadline` (returns at once when it has passed); throws `CancellationError` when
    /// the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

extension FloeClock {
    /// Sleeps for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now.addingTimeInterval(duration.seconds))
    }
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: FloeClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        try await Task.sleep(for: seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded(.up))) : .zero)
    }
}
