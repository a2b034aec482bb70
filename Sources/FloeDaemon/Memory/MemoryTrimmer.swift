import ServiceLifecycle

/// Gives memory freed after a burst (a cold start of many services, a large status query) back to the
/// kernel: every `interval` it reads the heap's free bytes and trims when they grew by `threshold` since
/// the last trim. glibc returns the heap's top on its own, but not the free pages between live chunks.
/// The check is one `mallinfo2` call; a trim happens only after a burst, not on every tick.
///
/// `mallinfo2` walks every free chunk of the heap: with 1,000 instances it took a few milliseconds, a
/// measurable share of an idle floed's CPU when made every 10 s. So while the heap stays quiet (its free
/// bytes move by less than a sixteenth of the threshold between checks), the time between checks
/// doubles up to `longestInterval`, and it is back to `interval` after a check that sees them move.
public struct MemoryTrimmer: Service {
    /// Whether a trim is due, from successive readings of the heap's free bytes (no clock, no malloc).
    public struct Policy: Sendable, Equatable {
        /// Free bytes that must accumulate beyond the last reading's low-water mark before a trim.
        public let threshold: Int
        /// The free bytes a trim leaves behind (trimmed pages stay free in malloc's books), lowered
        /// whenever the heap reuses free memory.
        public private(set) var baseline: Int

        public init(threshold: Int, baseline: Int = 0) {
            self.threshold = threshold
            self.baseline = baseline
        }

        /// True when `free` bytes warrant a trim; then ``trimmed(free:)`` records what was left.
        public mutating func shouldTrim(free: Int) -> Bool {
            baseline = min(baseline, free)
            return free - baseline >= threshold
        }

        /// Records the free bytes after a trim, so that the same free memory does not trigger another.
        public mutating func trimmed(free: Int) {
            baseline = free
        }
    }

    /// How long to wait before the next check, from how much the heap's free bytes moved.
    public struct Pace: Sendable, Equatable {
        public let shortest: Duration
        public let longest: Duration
        /// The movement of the free bytes below which the heap counts as quiet.
        public let quiet: Int
        /// The wait before the next check.
        public private(set) var wait: Duration
        private var lastFree: Int?

        public init(shortest: Duration, longest: Duration, quiet: Int) {
            self.shortest = shortest
            self.longest = max(longest, shortest)
            self.quiet = quiet
            self.wait = shortest
        }

        /// Takes a reading (`free` bytes, and whether it led to a trim) and sets ``wait``: doubled, up
        /// to ``longest``, after a quiet reading; ``shortest`` after a trim or a move.
        public mutating func checked(free: Int, trimmed: Bool) {
            defer { lastFree = free }
            if !trimmed, let lastFree, abs(free - lastFree) < quiet {
                wait = min(wait * 2, longest)
            } else {
                wait = shortest
            }
        }
    }

    let interval: Duration
    let longestInterval: Duration
    let threshold: Int

    /// - Parameters:
    ///   - interval: time between checks while the heap moves.
    ///   - longestInterval: the longest time between checks while it is quiet.
    ///   - threshold: free bytes, beyond what the last trim left, that make a trim worth its cost.
    public init(
        interval: Duration = .seconds(10), longestInterval: Duration = .seconds(80), threshold: Int = 1 << 20
    ) {
        self.interval = interval
        self.longestInterval = longestInterval
        self.threshold = threshold
    }

    public func run() async throws {
        guard let start = MallocTuning.usage() else {
            try? await gracefulShutdown()  // nothing to trim with this C library
            return
        }
        let threshold = threshold
        let firstPace = Pace(shortest: interval, longest: longestInterval, quiet: max(threshold / 16, 1))
        await cancelWhenGracefulShutdown {
            var pace = firstPace
            var policy = Policy(threshold: threshold, baseline: start.free)
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: pace.wait)
                } catch {
                    return
                }
                guard let usage = MallocTuning.usage() else { return }
                let trimmed = Self.check(&policy, usage: usage)
                pace.checked(free: trimmed ? policy.baseline : usage.free, trimmed: trimmed)
            }
        }
    }

    /// One check: trims when the policy says so; true when it trimmed.
    @discardableResult
    public static func check(_ policy: inout Policy) -> Bool {
        guard let usage = MallocTuning.usage() else { return false }
        return check(&policy, usage: usage)
    }

    /// One check against a reading already taken.
    static func check(_ policy: inout Policy, usage: MallocTuning.Usage) -> Bool {
        guard policy.shouldTrim(free: usage.free) else { return false }
        MallocTuning.trim()
        policy.trimmed(free: MallocTuning.usage()?.free ?? usage.free)
        return true
    }
}
