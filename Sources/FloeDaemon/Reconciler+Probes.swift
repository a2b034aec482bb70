import FloeCore
import FloeRuntime
import FloeSpec
import Foundation

/// One probe loop: a container's readiness or liveness probe.
struct ProbeKey: Hashable, Sendable {
    var key: InstanceKey
    var container: String
    var liveness: Bool
}

/// A probe loop the scheduler runs for the reconciler.
struct ActiveProbe: Sendable {
    /// The scheduler's id of the loop: a container started again gets a new run, so a late answer for
    /// the process before is never taken for the new one.
    var run: Int
    var threshold: Int
}

extension Reconciler {
    /// Starts the container's probe loops on the ``ProbeScheduler``: readiness at once and quickly
    /// until it first succeeds (READY follows the process listening within milliseconds), then every
    /// `periodSeconds`; liveness after one period.
    func startProbes(_ key: InstanceKey, _ name: String) {
        guard let spec = world.instances[key]?.spec.containers.first(where: { $0.name == name }) else { return }
        for (probe, liveness) in [(spec.readinessProbe, false), (spec.livenessProbe, true)] {
            guard let probe else { continue }
            let probeKey = ProbeKey(key: key, container: name, liveness: liveness)
            stopProbe(probeKey)
            probeRunCount += 1
            activeProbes[probeKey] = ActiveProbe(run: probeRunCount, threshold: probe.failureThreshold)
            probeRuns[probeRunCount] = probeKey
            probes.add(
                probeRunCount,
                ScheduledProbe(
                    kind: liveness ? .liveness : .readiness, host: instanceHost(key), port: probe.port,
                    path: probe.path, period: .seconds(probe.periodSeconds), timeout: .seconds(1)))
        }
    }

    func stopProbes(_ key: InstanceKey, _ name: String) {
        for liveness in [false, true] {
            stopProbe(ProbeKey(key: key, container: name, liveness: liveness))
        }
    }

    /// Stops one probe loop, if it runs; answers of its run already on their way are dropped.
    func stopProbe(_ probeKey: ProbeKey) {
        guard let old = activeProbes.removeValue(forKey: probeKey) else { return }
        probes.remove(old.run)
        probeRuns[old.run] = nil
    }

    /// Takes the scheduler's answers, one batch at a time and in order, until ``shutdown()``.
    func startProbeReports() {
        guard probeConsumer == nil else { return }
        let reports = probeReports
        probeConsumer = Task { [weak self] in
            for await batch in reports {
                guard let self else { return }
                await self.probesAnswered(batch)
            }
        }
    }

    func probesAnswered(_ batch: [ProbeReport]) {
        for report in batch {
            guard let probe = probeRuns[report.id], let active = activeProbes[probe], active.run == report.id
            else { continue }
            probeAnswered(probe, result: report.result, threshold: active.threshold)
        }
    }

    func probeAnswered(_ probe: ProbeKey, result: ProbeResult, threshold: Int) {
        guard let before = world.instances[probe.key]?.containers.first(where: { $0.name == probe.container }),
            before.phase == .running
        else { return }
        let success = result == .success
        world.probeAnswered(
            probe.key, probe.container, liveness: probe.liveness, success: success, threshold: threshold)
        guard let after = world.instances[probe.key]?.containers.first(where: { $0.name == probe.container }) else {
            return
        }
        let kind = probe.liveness ? "liveness" : "readiness"
        if !probe.liveness && before.ready != after.ready {
            if after.ready {
                record(probe.key.object, probe.key.id, probe.container, "ready", "readiness probe succeeded")
            } else if case .failure(let why) = result {
                record(
                    probe.key.object, probe.key.id, probe.container, "probe-failed",
                    "readiness probe failing (\(why)); no longer READY", level: .warning)
            }
            reconcileSoon()
        } else if probe.liveness && after.livenessFailures >= threshold {
            reconcileSoon()
        } else if !success, after.readinessFailures == threshold || after.livenessFailures == threshold,
            case .failure(let why) = result
        {
            record(
                probe.key.object, probe.key.id, probe.container, "probe-failed", "\(kind) probe: \(why)",
                level: .warning)
            changed()
        }
    }
}
