import FloeCore
import Foundation
import Testing

@Suite("Restart backoff")
struct BackoffTests {
    @Test func delaysDoubleFromOneSecondToTheCap() {
        let backoff = Backoff()
        let delays = (1...12).map { backoff.delay(afterCrashes: $0).seconds }
        #expect(delays == [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300])
        #expect(backoff.delay(afterCrashes: 1_000).seconds == 300)
        #expect(backoff.delay(afterCrashes: 0).seconds == 0)
    }

    @Test func crashCountResetsAfterTenMinutesOfRunning() {
        let backoff = Backoff()
        let start = Date(timeIntervalSince1970: 0)
        #expect(backoff.crashes(previous: 7, startedAt: start, exitedAt: start.addingTimeInterval(599)) == 8)
        #expect(backoff.crashes(previous: 7, startedAt: start, exitedAt: start.addingTimeInterval(600)) == 1)
        #expect(backoff.crashes(previous: 0, startedAt: nil, exitedAt: start) == 1)
    }

    /// A service whose container crashes right after each start: restarts at once, then after
    /// 1, 2, 4 ... s, and `wakeAt` names the moment of the next restart.
    @Test func crashLoopRestartsWithGrowingDelays() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("LOOP")]))
        sim.settle()
        let key = sim.key("LOOP", 0)

        // First crash: restarted in the same round.
        sim.exited(key, code: 1)
        sim.clearLog()
        sim.settle()
        #expect(sim.starts == ["LOOP/0"])
        #expect(sim.container("LOOP", 0)?.restartCount == 1)

        var observed: [Double] = []
        for _ in 0..<10 {
            sim.exited(key, code: 1)
            let crashedAt = sim.now
            sim.clearLog()
            sim.settle()
            #expect(sim.starts.isEmpty, "restarted before its backoff ended")
            #expect(sim.container("LOOP", 0)?.phase == .waiting)
            #expect(sim.status("LOOP", 0)?.status == "FAILED")
            #expect(sim.status("LOOP", 0)?.message == "Encountered fatal error, retrying")
            guard let wake = sim.wakeAt else {
                Issue.record("no wakeAt while a restart waits")
                return
            }
            observed.append(wake.timeIntervalSince(crashedAt))
            // Just before: still waiting.
            sim.now = wake.addingTimeInterval(-0.5)
            sim.settle()
            #expect(sim.starts.isEmpty)
            sim.advanceToWake()
            sim.settle()
            #expect(sim.starts == ["LOOP/0"])
        }
        #expect(observed == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300])
        #expect(sim.container("LOOP", 0)?.restartCount == 11)
    }

    @Test func tenMinutesOfRunningResetsTheBackoff() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("LOOP")]))
        sim.settle()
        let key = sim.key("LOOP", 0)
        for _ in 0..<4 {
            sim.exited(key, code: 1)
            sim.settle()
            if sim.wakeAt != nil { sim.advanceToWake() }
            sim.settle()
        }
        #expect(sim.container("LOOP", 0)?.consecutiveCrashes == 4)

        sim.advance(by: 600)
        sim.exited(key, code: 1)
        sim.clearLog()
        sim.settle()
        #expect(sim.starts == ["LOOP/0"], "a crash after 10 minutes of running restarts at once")
        #expect(sim.container("LOOP", 0)?.consecutiveCrashes == 1)

        // And the next quick crash waits 1 s again.
        sim.exited(key, code: 1)
        let crashedAt = sim.now
        sim.settle()
        #expect(sim.wakeAt == crashedAt.addingTimeInterval(1))
    }

    @Test func failedStartIsRetriedWithBackoffAndSaysWhy() {
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service("BROKEN", containers: [Fixtures.container(image: "/db/s/repo/missing:1")])
            ]))
        sim.brokenImages = ["/db/s/repo/missing:1"]
        sim.settle()
        #expect(sim.status("BROKEN", 0)?.status == "PENDING")
        #expect(sim.status("BROKEN", 0)?.message.hasPrefix("Failed to pull image") == true)
        #expect(sim.wakeAt == sim.now.addingTimeInterval(1))

        sim.brokenImages = []
        sim.advanceToWake()
        sim.settle()
        #expect(sim.instance("BROKEN", 0)?.isReady == true)
        #expect(sim.status("BROKEN", 0)?.message == "Running")
    }

    @Test func customBackoffIsUsed() {
        let planner = Planner(backoff: Backoff(initial: .seconds(10), cap: .seconds(40)))
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("LOOP")]), planner: planner)
        sim.settle()
        var observed: [Double] = []
        for _ in 0..<5 {
            sim.exited(sim.key("LOOP", 0), code: 2)
            let crashedAt = sim.now
            sim.settle()
            if let wake = sim.wakeAt {
                observed.append(wake.timeIntervalSince(crashedAt))
                sim.advanceToWake()
                sim.settle()
            } else {
                observed.append(0)
            }
        }
        #expect(observed == [0, 10, 20, 40, 40])
    }
}
