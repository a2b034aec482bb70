import ServiceLifecycle

/// Gives memory freed after a burst (a cold start of many services, a large status query) back to the
/// kernel: every `interval` it reads the heap's free bytes and trims when they grew by `threshold` since
/// the last trim. glibc returns the heap's top on its own, but not the free pages between live chunks.
/// The check is one `mallinfo2` call; a trim happens only after a burst, not on every tick.
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

    let interval: Duration
    let threshold: Int

    /// - Parameters:
    ///   - interval: time between checks.
    ///   - threshold: free bytes, beyond what the last trim left, that make a trim worth its cost.
    public init(interval: Duration = .seconds(10), threshold: Int = 1 << 20) {
        self.interval = interval
        self.threshold = threshold
    }

    public func run() async throws {
        guard let start = MallocTuning.usage() else {
            try? await gracefulShutdown()  // nothing to trim with this C library
            return
        }
        let (interval, threshold) = (interval, threshold)
        await cancelWhenGracefulShutdown {
            var policy = Policy(threshold: threshold, baseline: start.free)
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                Self.check(&policy)
            }
        }
    }

    /// One check: trims when the policy says so; true when it trimmed.
    @discardableResult
    public static func check(_ policy: inout Policy) -> Bool {
        guard let usage = MallocTuning.usage(), policy.shouldTrim(free: usage.free) else { return false }
        MallocTuning.trim()
        policy.trimmed(free: MallocTuning.usage()?.free ?? usage.free)
        return true
    }
}
