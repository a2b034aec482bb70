import FloeRuntime
import FloeTesting
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// Collects what the scheduler reports, with the loop's time of each batch.
private final class Reports: Sendable {
    private let batches = Mutex<[[ProbeReport]]>([])

    func add(_ batch: [ProbeReport]) { batches.withLock { $0.append(batch) } }

    var all: [ProbeReport] { batches.withLock { $0.flatMap { $0 } } }
    var batchCount: Int { batches.withLock { $0.count } }

    func results(_ id: Int) -> [ProbeResult] { all.filter { $0.id == id }.map(\.result) }
}

private let refused = ProbeResult.failure("connection refused")

private func readiness(port: Int, period: Int = 5) -> ScheduledProbe {
    ScheduledProbe(kind: .readiness, host: "127.0.0.1", port: port, path: "/ready", period: .seconds(period))
}

/// A scheduler on a fresh embedded loop (its virtual clock starts at 0), with its prober and reports.
/// Each test makes its own: the embedded loop must be used from the thread that made it.
private func makeScheduler() -> (EmbeddedEventLoop, ScriptedProber, Reports, ProbeScheduler) {
    let loop = EmbeddedEventLoop()
    let prober = ScriptedProber()
    let reports = Reports()
    let probes = ProbeScheduler(prober: prober, eventLoop: loop) { reports.add($0) }
    return (loop, prober, reports, probes)
}

@Suite struct ProbeSchedulerTests {
    @Test func readinessIsProbedQuicklyUntilItFirstSucceeds() {
        let (loop, prober, reports, probes) = makeScheduler()
        // Refused three times (the process is not listening yet), then answers.
        prober.script(8000, [refused, refused, refused, .success])
        probes.add(1, readiness(port: 8000))
        loop.advanceTime(by: .microseconds(999))
        // None at once: the program cannot listen at the moment it is spawned.
        #expect(prober.calls.isEmpty)
        loop.advanceTime(by: .milliseconds(19))
        // 1, 3, 7 and 15 ms: four probes within 20 ms, and only the success is reported (quick
        // failures before the first success count once per period, not once per probe).
        #expect(prober.calls.map { $0.at.uptimeNanoseconds / 1_000_000 } == [1, 3, 7, 15])
        #expect(reports.results(1) == [.success])
    }

    @Test func aSuccessAfterASuccessIsNotReported() {
        let (loop, prober, reports, probes) = makeScheduler()
        prober.script(8000, [.success, .success, .success, refused, refused, .success, .success])
        probes.add(1, readiness(port: 8000))
        loop.advanceTime(by: .seconds(31))
        #expect(prober.calls.count == 7)
        // Success, then the two failures (each counts toward the threshold), then READY again.
        #expect(reports.results(1) == [.success, refused, refused, .success])
    }

    @Test func steadyProbesShareTimerWakeUps() {
        let (loop, prober, _, probes) = makeScheduler()
        loop.advanceTime(by: .milliseconds(10))
        probes.add(1, readiness(port: 8000))
        loop.advanceTime(by: .milliseconds(37))
        probes.add(2, readiness(port: 8001))
        loop.advanceTime(by: .milliseconds(44))
        probes.add(3, readiness(port: 8002))
        loop.advanceTime(by: .seconds(20))
        // Started at 10, 47 and 91 ms, all three are then due on the same 100 ms grid point
        // (5.1 s, 10.1 s, 15.1 s): one timer wake-up probes them together.
        let later = prober.calls.filter { $0.at.uptimeNanoseconds >= 1_000_000_000 }
        #expect(later.count == 9)
        #expect(Set(later.map(\.at)).count == 3)
        for call in later { #expect(call.at.uptimeNanoseconds % 100_000_000 == 0) }
    }

    @Test func livenessStartsOnePeriodLater() {
        let (loop, prober, reports, probes) = makeScheduler()
        probes.add(4, ScheduledProbe(kind: .liveness, host: "h", port: 9000, path: "/", period: .seconds(10)))
        loop.advanceTime(by: .seconds(9))
        #expect(prober.calls.isEmpty)
        loop.advanceTime(by: .seconds(2))
        #expect(prober.calls.count == 1)
        #expect(reports.results(4) == [.success])
    }

    @Test func aRemovedProbeStopsAndItsLateAnswerIsDropped() {
        let (loop, prober, reports, probes) = makeScheduler()
        prober.script(8000, [nil])
        probes.add(1, readiness(port: 8000))
        loop.advanceTime(by: .milliseconds(1))
        #expect(prober.calls.count == 1)
        probes.remove(1)
        prober.answerHeld(.success)
        loop.advanceTime(by: .seconds(30))
        #expect(prober.calls.count == 1)
        #expect(reports.all.isEmpty)
    }

    @Test func aReplacedProbeIgnoresTheAnswerOfTheOneBefore() {
        let (loop, prober, reports, probes) = makeScheduler()
        prober.script(8000, [nil, refused])
        probes.add(1, readiness(port: 8000))
        loop.advanceTime(by: .milliseconds(1))
        // The container restarts: the same probe loop starts again while the old probe is out.
        probes.add(1, readiness(port: 8000))
        loop.advanceTime(by: .milliseconds(1))
        prober.answerHeld(.success)
        loop.advanceTime(by: .seconds(9))
        // Only the new loop's answers count: refused, reported by the first quick probe after a
        // period (8,191 ms).
        #expect(!reports.results(1).contains(.success))
        #expect(reports.results(1).first == refused)
    }

    @Test func answersOfOneWakeUpAreReportedTogether() {
        let (loop, prober, reports, probes) = makeScheduler()
        for port in 8000..<8010 { prober.script(port, [refused]) }
        for port in 8000..<8010 { probes.add(port, readiness(port: port)) }
        loop.advanceTime(by: .seconds(9))
        // Ten loops failing from the start: the quick probes (1, 3, 7, … 4,095 ms) count nothing until
        // a period has passed; the probe at 8,191 ms counts one failure for each, all in one batch.
        #expect(reports.all.count == 10)
        #expect(reports.batchCount == 1)
    }
}
