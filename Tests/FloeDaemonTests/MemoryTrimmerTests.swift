import FloeDaemon
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Serialized: the glibc tests read and trim the whole process's heap, and would see each other's trims.
@Suite(.serialized) struct MemoryTrimmerTests {
    /// The policy's answers to successive readings of the heap's free bytes.
    static func answers(_ policy: inout MemoryTrimmer.Policy, _ readings: [Int]) -> [Bool] {
        readings.map { policy.shouldTrim(free: $0) }
    }

    @Test func policyWaitsForTheThreshold() {
        var policy = MemoryTrimmer.Policy(threshold: 1000, baseline: 500)
        let answers = Self.answers(&policy, [500, 1499, 1500])
        #expect(answers == [false, false, true])
    }

    @Test func policyDoesNotTrimTheSameFreeMemoryTwice() {
        var policy = MemoryTrimmer.Policy(threshold: 1000)
        let first = Self.answers(&policy, [5000])
        #expect(first == [true])
        // Trimmed pages stay free in malloc's books: the next reading is as high, and is no new burst.
        policy.trimmed(free: 4800)
        let later = Self.answers(&policy, [4800, 5500, 5800])
        #expect(later == [false, false, true])
    }

    @Test func policyFollowsTheHeapWhenItReusesFreeMemory() {
        var policy = MemoryTrimmer.Policy(threshold: 1000, baseline: 4000)
        let reused = Self.answers(&policy, [200])  // the heap reused what was free
        #expect(reused == [false])
        #expect(policy.baseline == 200)
        let grown = Self.answers(&policy, [1200])
        #expect(grown == [true])
    }

    #if canImport(Glibc)
        /// Frees a few MiB of small chunks below a live one (so that glibc cannot give them back by
        /// shrinking the heap's top) and returns the live one, to be freed by the caller.
        static func leaveFreeHoles() -> UnsafeMutableRawPointer? {
            let chunks = (0..<4096).map { _ in malloc(1024) }
            let pin = malloc(1024)
            for chunk in chunks { free(chunk) }
            return pin
        }

        @Test func usageSeesFreedMemoryAndTrimGivesItBack() throws {
            let pin = Self.leaveFreeHoles()
            defer { free(pin) }
            let usage = try #require(MallocTuning.usage())
            #expect(usage.free >= 3 << 20)
            #expect(usage.inUse > 0)
            #expect(MallocTuning.trim())
        }

        @Test func checkTrimsAfterABurstOnly() {
            let pin = Self.leaveFreeHoles()
            defer { free(pin) }
            var never = MemoryTrimmer.Policy(threshold: Int.max)
            let trimmedNever = MemoryTrimmer.check(&never)
            #expect(!trimmedNever)
            var policy = MemoryTrimmer.Policy(threshold: 1 << 20)
            let trimmed = MemoryTrimmer.check(&policy)
            #expect(trimmed)
            #expect(policy.baseline >= 1 << 20)
        }

        @Test func arenaLimitIsTaken() {
            // The default for this machine's cores or more: the test process keeps its usual behaviour.
            #expect(MallocTuning.limitArenas(64))
        }
    #endif

    @Test(.timeLimit(.minutes(1))) func stopsOnGracefulShutdown() async throws {
        let group = ServiceGroup(
            services: [MemoryTrimmer(interval: .milliseconds(10))], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// How often the trimmer reads the heap (each reading walks every free chunk).
struct MemoryTrimmerPaceTests {
    @Test func quietReadingsDoubleTheWaitUpToTheLongest() {
        var pace = MemoryTrimmer.Pace(shortest: .seconds(10), longest: .seconds(80), quiet: 1000)
        var waits: [Duration] = []
        for free in [5000, 5100, 4900, 5000, 5000, 5000] {
            pace.checked(free: free, trimmed: false)
            waits.append(pace.wait)
        }
        #expect(waits == [.seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(80), .seconds(80)])
    }

    @Test func aMoveOrATrimBringsTheShortestWaitBack() {
        var pace = MemoryTrimmer.Pace(shortest: .seconds(10), longest: .seconds(80), quiet: 1000)
        for free in [5000, 5000, 5000] { pace.checked(free: free, trimmed: false) }
        #expect(pace.wait == .seconds(40))
        pace.checked(free: 9000, trimmed: false)  // a burst freed memory
        #expect(pace.wait == .seconds(10))
        pace.checked(free: 9000, trimmed: false)
        #expect(pace.wait == .seconds(20))
        pace.checked(free: 9000, trimmed: true)
        #expect(pace.wait == .seconds(10))
    }
}

/// floed runs with TZ=GMT, so that Foundation's current time zone needs no ICU data.
@Suite(.serialized) struct TimeZoneSettingTests {
    @Test func useGMTSetsTheEnvironment() {
        let before = getenv("TZ").map { String(cString: $0) }
        defer {
            if let before { setenv("TZ", before, 1) } else { unsetenv("TZ") }
        }
        unsetenv("TZ")
        TimeZoneSetting.useGMT()
        #expect(getenv("TZ").map { String(cString: $0) } == "GMT")
    }
}
