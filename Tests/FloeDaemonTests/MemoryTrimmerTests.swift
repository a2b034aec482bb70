import FloeDaemon
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Serialized: the glibc tests read and trim the whole process's heap, and would see each other's trims.
@Suite(.serialized) struct MemoryTrimmerTests {
    @Test func policyWaitsForTheThreshold() {
        var policy = MemoryTrimmer.Policy(threshold: 1000, baseline: 500)
        #expect(!policy.shouldTrim(free: 500))
        #expect(!policy.shouldTrim(free: 1499))
        #expect(policy.shouldTrim(free: 1500))
    }

    @Test func policyDoesNotTrimTheSameFreeMemoryTwice() {
        var policy = MemoryTrimmer.Policy(threshold: 1000)
        #expect(policy.shouldTrim(free: 5000))
        // Trimmed pages stay free in malloc's books: the next reading is as high, and is no new burst.
        policy.trimmed(free: 4800)
        #expect(!policy.shouldTrim(free: 4800))
        #expect(!policy.shouldTrim(free: 5500))
        #expect(policy.shouldTrim(free: 5800))
    }

    @Test func policyFollowsTheHeapWhenItReusesFreeMemory() {
        var policy = MemoryTrimmer.Policy(threshold: 1000, baseline: 4000)
        #expect(!policy.shouldTrim(free: 200))  // the heap reused what was free
        #expect(policy.baseline == 200)
        #expect(policy.shouldTrim(free: 1200))
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
            #expect(!MemoryTrimmer.check(&never))
            var policy = MemoryTrimmer.Policy(threshold: 1 << 20)
            #expect(MemoryTrimmer.check(&policy))
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
