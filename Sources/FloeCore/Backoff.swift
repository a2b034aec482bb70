import Foundation

/// Restart backoff for crashed service containers: the first restart at once, then 1 s doubling
/// to a 5 minute cap; a container that ran for 10 minutes starts again from the beginning.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var cap: Duration
    public var resetAfter: Duration

    public init(initial: Duration = .seconds(1), cap: Duration = .seconds(300), resetAfter: Duration = .seconds(600)) {
        self.initial = initial
        self.cap = cap
        self.resetAfter = resetAfter
    }

    /// The crash count after a container that started at `startedAt` exited at `exitedAt`.
    public func crashes(previous: Int, startedAt: Date?, exitedAt: Date) -> Int {
        if let startedAt, exitedAt.timeIntervalSince(startedAt) >= resetAfter.seconds { return 1 }
        return previous + 1
    }

    /// How long to wait before restarting after the `crashes`-th crash in a row (1-based).
    public func delay(afterCrashes crashes: Int) -> Duration {
        guard crashes > 1 else { return .zero }
        let exponent = min(crashes - 2, 30)
        let seconds = initial.seconds * Double(1 << exponent)
        return seconds >= cap.seconds ? cap : .milliseconds(Int64(seconds * 1000))
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
