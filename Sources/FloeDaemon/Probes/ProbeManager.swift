import FloeCore
import FloeRuntime
import FloeSpec
import Synchronization

/// One probe loop: a container's readiness or liveness probe.
struct ProbeKey: Hashable, Sendable {
    var ref: ContainerRef
    var liveness: Bool
}

/// A probe answer for the loop: which probe, its run, what it said, and the failure threshold.
struct ProbeOutcome: Sendable {
    var probe: ProbeKey
    /// The run of the probe loop: a container started again gets a new run, so the loop can tell an
    /// answer for the process before from one for the process now (``ProbeManager/isCurrent(_:)``).
    var run: Int
    var result: ProbeResult
    var threshold: Int
}

/// The prober manager, beside the loop and the runners (as kubelet's): runs every container's probe
/// loops on one ``ProbeScheduler`` and hands their answers to `deliver`, batched, in order, without
/// the answers of loops that were stopped since.
final class ProbeManager: Sendable {
    private struct ActiveProbe {
        var run: Int
        var threshold: Int
    }

    private struct Book {
        var active: [ProbeKey: ActiveProbe] = [:]
        var runs: [Int: ProbeKey] = [:]
        var count = 0
    }

    private final class SharedBook: Sendable {
        let book = Mutex(Book())
    }

    private let shared: SharedBook
    private let scheduler: ProbeScheduler

    init(prober: any Prober, deliver: @escaping @Sendable ([ProbeOutcome]) -> Void) {
        let shared = SharedBook()
        self.shared = shared
        self.scheduler = ProbeScheduler(prober: prober) { batch in
            let outcomes: [ProbeOutcome] = shared.book.withLock { book in
                batch.compactMap { report in
                    guard let probe = book.runs[report.id], let active = book.active[probe], active.run == report.id
                    else { return nil }
                    return ProbeOutcome(
                        probe: probe, run: report.id, result: report.result, threshold: active.threshold)
                }
            }
            if !outcomes.isEmpty { deliver(outcomes) }
        }
    }

    /// Starts the container's probe loops: readiness at once and quickly until it first succeeds
    /// (READY follows the process listening within milliseconds), then every `periodSeconds`; liveness
    /// after one period. Probes go to `host` (the instance's address).
    func start(_ ref: ContainerRef, spec: ContainerSpec, host: String) {
        for (probe, liveness) in [(spec.readinessProbe, false), (spec.livenessProbe, true)] {
            guard let probe else { continue }
            let key = ProbeKey(ref: ref, liveness: liveness)
            stop(key)
            let run: Int = shared.book.withLock { book in
                book.count += 1
                book.active[key] = ActiveProbe(run: book.count, threshold: probe.failureThreshold)
                book.runs[book.count] = key
                return book.count
            }
            scheduler.add(
                run,
                ScheduledProbe(
                    kind: liveness ? .liveness : .readiness, host: host, port: probe.port, path: probe.path,
                    period: .seconds(probe.periodSeconds), timeout: .seconds(1)))
        }
    }

    /// Stops the container's probe loops; answers already on their way are dropped.
    func stop(_ ref: ContainerRef) {
        for liveness in [false, true] { stop(ProbeKey(ref: ref, liveness: liveness)) }
    }

    private func stop(_ key: ProbeKey) {
        let run: Int? = shared.book.withLock { book in
            guard let old = book.active.removeValue(forKey: key) else { return nil }
            book.runs[old.run] = nil
            return old.run
        }
        if let run { scheduler.remove(run) }
    }

    /// Whether `run` is still the probe loop running for its probe.
    func isCurrent(_ outcome: ProbeOutcome) -> Bool {
        shared.book.withLock { $0.active[outcome.probe]?.run == outcome.run }
    }

    /// How many probe loops run.
    var count: Int { shared.book.withLock { $0.active.count } }

    /// Stops every probe loop (floed stops).
    func removeAll() {
        shared.book.withLock { book in
            book.active = [:]
            book.runs = [:]
        }
        scheduler.removeAll()
    }
}
