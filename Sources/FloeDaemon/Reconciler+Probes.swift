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

extension Reconciler {
    /// Starts the container's probe loops. Readiness is probed quickly right after the start
    /// (1 ms, doubling up to the period) so READY follows the process listening within
    /// milliseconds, then every `periodSeconds`.
    func startProbes(_ key: InstanceKey, _ name: String) {
        guard let spec = world.instances[key]?.spec.containers.first(where: { $0.name == name }) else { return }
        for (probe, liveness) in [(spec.readinessProbe, false), (spec.livenessProbe, true)] {
            guard let probe else { continue }
            let probeKey = ProbeKey(key: key, container: name, liveness: liveness)
            probeTasks[probeKey]?.cancel()
            let prober = self.prober
            let host = instanceHost(key)
            probeTasks[probeKey] = Task { [weak self] in
                let period = Duration.seconds(probe.periodSeconds)
                var fast = Duration.milliseconds(1)
                var succeededOnce = false
                // Quick probes before the first success do not each count as a failure: one failure
                // is counted per period, so "failing" means what it means in SPCS (threshold × period).
                var lastCounted = ContinuousClock.now
                if liveness {
                    // Liveness starts after one period: a process gets time to come up.
                    try? await Task.sleep(for: period)
                }
                while !Task.isCancelled {
                    let result = await prober.probe(
                        host: host, port: probe.port, path: probe.path, timeout: .seconds(1))
                    guard !Task.isCancelled, let self else { return }
                    let success = result == .success
                    let quick = !liveness && !succeededOnce
                    if success || !quick || ContinuousClock.now - lastCounted >= period {
                        lastCounted = ContinuousClock.now
                        await self.probeAnswered(
                            probeKey, success: success, result: result, threshold: probe.failureThreshold)
                    }
                    succeededOnce = succeededOnce || success
                    if !liveness && !succeededOnce && fast < period {
                        try? await Task.sleep(for: fast)
                        fast = min(fast * 2, period)
                    } else {
                        // The tolerance lets the system wake many probe loops at once (fewer timer
                        // wake-ups with many instances); a probe may come up to a tenth of a period late.
                        try? await Task.sleep(for: period, tolerance: period / 10)
                    }
                }
            }
        }
    }

    func stopProbes(_ key: InstanceKey, _ name: String) {
        for liveness in [false, true] {
            probeTasks.removeValue(forKey: ProbeKey(key: key, container: name, liveness: liveness))?.cancel()
        }
    }

    func probeAnswered(_ probe: ProbeKey, success: Bool, result: ProbeResult, threshold: Int) {
        guard let before = world.instances[probe.key]?.containers.first(where: { $0.name == probe.container }),
            before.phase == .running
        else { return }
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
