import Foundation
import Testing

extension ServiceLifecycleTests {
    /// End-to-end chaos: rounds of random stage edits and SIGKILLs of floed at random moments, each
    /// followed by a restart of floed. After each round floed must have converged with no duplicate,
    /// no orphan, and no instance restarted that nothing asked to restart. Seeded (FLOE_CHAOS_SEED, or
    /// a fixed seed) and bounded (FLOE_CHAOS_ROUNDS rounds, 8 by default); prints its figures.
    @Suite("chaos: random edits and SIGKILLs of floed")
    struct ChaosEndToEndTests {
        /// A small generator with a seed (SplitMix64), so a failing round can be replayed.
        struct Seeded: RandomNumberGenerator {
            var state: UInt64
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }

        static let services = 6

        /// Service `index` at `version`: one instance of a shell loop whose command line names both.
        static func spec(_ marker: String, _ index: Int, version: Int) -> String {
            """
            service:
              stopGraceSeconds: 2
            spec:
              containers:
              - name: main
                image: /floe/test/chaos:latest
                command: [sh, -c, 'sleep 86400 & wait', '\(marker)-s\(index)-v\(version)']
                resources: {requests: {cpu: 10m, memory: 8Mi}}

            """
        }

        @Test func floedKilledAtRandomMomentsAlwaysConvergesWithoutDuplicatesOrOrphans() async throws {
            let environment = ProcessInfo.processInfo.environment
            let seed = environment["FLOE_CHAOS_SEED"].flatMap(UInt64.init) ?? 20_261_208
            let rounds = environment["FLOE_CHAOS_ROUNDS"].flatMap(Int.init) ?? 8
            var random = Seeded(state: seed)
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try await floe.start()
            let marker = "chaos-\(UUID().uuidString.prefix(8))"
            var versions: [Int: Int] = [:]  // present services and their versions
            for index in 0..<Self.services {
                versions[index] = 0
                try floe.drop("chaos\(index).yaml", Self.spec(marker, index, version: 0))
            }
            try await converged(floe, marker, versions)
            var (kills, edits, removals, additions, kept, restarted) = (0, 0, 0, 0, 0, 0)
            let started = ContinuousClock.now
            for round in 0..<rounds {
                let before = try running(marker, versions)
                var touched: Set<Int> = []
                // Random changes of the stage, some before the kill and some while floed is down.
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let index = Int.random(in: 0..<Self.services, using: &random)
                    touched.insert(index)
                    if let version = versions[index] {
                        if Bool.random(using: &random) {
                            versions[index] = version + 1
                            try floe.drop("chaos\(index).yaml", Self.spec(marker, index, version: version + 1))
                            edits += 1
                        } else {
                            versions[index] = nil
                            floe.remove("chaos\(index).yaml")
                            removals += 1
                        }
                    } else {
                        versions[index] = 0
                        try floe.drop("chaos\(index).yaml", Self.spec(marker, index, version: 0))
                        additions += 1
                    }
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...150, using: &random)))
                }
                await floe.stopDaemon(signal: SIGKILL)
                kills += 1
                if Bool.random(using: &random) {
                    let index = Int.random(in: 0..<Self.services, using: &random)
                    touched.insert(index)
                    versions[index] = (versions[index] ?? -1) + 1
                    try floe.drop("chaos\(index).yaml", Self.spec(marker, index, version: versions[index]!))
                    edits += 1
                }
                try await floe.start()
                try await converged(floe, marker, versions, round: round, seed: seed)
                // Nothing restarted that nothing asked to restart.
                let after = try running(marker, versions)
                for (index, pid) in before where !touched.contains(index) {
                    if after[index] == pid {
                        kept += 1
                        continue
                    }
                    restarted += 1
                    let events = (try? await floe.ctl("events", "chaos\(index)").stdout) ?? ""
                    Issue.record("round \(round) (seed \(seed)): s\(index) was restarted; its events:\n\(events)")
                }
            }
            let seconds = (ContinuousClock.now - started).components.seconds
            print(
                "chaos (seed \(seed)): \(rounds) rounds in \(seconds) s, \(kills) SIGKILLs of floed, \(edits) edits,"
                    + " \(removals) removals, \(additions) additions; \(kept) untouched instances kept their"
                    + " process, \(restarted) were restarted; no duplicate, no orphan")
            for index in 0..<Self.services { floe.remove("chaos\(index).yaml") }
            try await floe.eventually("every chaos process stopped") { pids(matching: marker).isEmpty }
            await floe.tearDown()
        }

        /// Each present service's one process, by index (fails on a duplicate or a wrong version).
        func running(_ marker: String, _ versions: [Int: Int]) throws -> [Int: Int32] {
            var result: [Int: Int32] = [:]
            for (index, version) in versions {
                let found = pids(matching: "\(marker)-s\(index)-v\(version)")
                if found.count == 1 { result[index] = found[0] }
            }
            return result
        }

        /// Waits until exactly the present services run, one process each at their version, and no
        /// other process of the test's is left (no duplicate, no orphan of an earlier version).
        func converged(
            _ floe: FloeHarness, _ marker: String, _ versions: [Int: Int], round: Int = -1, seed: UInt64 = 0
        ) async throws {
            try await floe.eventually("round \(round) (seed \(seed)) converged", timeout: .seconds(60)) {
                let all = pids(matching: marker)
                guard all.count == versions.count else { return false }
                return versions.allSatisfy { pids(matching: "\(marker)-s\($0.key)-v\($0.value)").count == 1 }
            }
        }
    }
}
