import FloeSpec
import Foundation

extension World {
    /// A container's process was spawned.
    public mutating func containerStarted(_ key: InstanceKey, _ name: String, handle: ContainerHandle, at now: Date) {
        let ready = !hasReadinessProbe(key, name)
        observed.note(key.object)
        updateContainer(key, name) { c in
            c.recordStart(at: now)
            c.phase = .running
            c.runs(handle, ready: ready)
        }
    }

    /// A container a previous floed started is taken back (adopted) with `handle`: it keeps its pid,
    /// start time and restart count; it is READY again only once its readiness probe answers (at once
    /// without one). `missedStart`: its start never reached the saved records (floed died just after
    /// it), so it counts as a start now, at `startedAt`.
    public mutating func containerAdopted(
        _ key: InstanceKey, _ name: String, handle: ContainerHandle, missedStart startedAt: Date? = nil
    ) {
        let ready = !hasReadinessProbe(key, name)
        observed.note(key.object)
        updateContainer(key, name) { c in
            if let startedAt { c.recordStart(at: startedAt) }
            if c.phase != .stopping { c.phase = .running }
            c.nextStartAt = nil
            c.runs(handle, ready: ready)
        }
    }

    /// Without a readiness probe a container is ready as soon as it runs.
    private func hasReadinessProbe(_ key: InstanceKey, _ name: String) -> Bool {
        instances[key]?.containerSpec(named: name)?.readinessProbe != nil
    }

    /// The run names of every container's handle (what the runtime must keep records of).
    public var runs: Set<String> {
        var runs: Set<String> = []
        for instance in instances.values {
            for c in instance.containers { if let run = c.handle?.run { runs.insert(run) } }
        }
        return runs
    }

    /// A container could not be spawned (missing program or directory). Services retry with backoff.
    public mutating func containerFailedToStart(
        _ key: InstanceKey, _ name: String, reason: String, at now: Date, backoff: Backoff
    ) {
        guard let instance = instances[key] else { return }
        observed.note(key.object)
        updateContainer(key, name) { c in
            c.startError = reason
            c.ready = false
            c.handle = nil
            if instance.isJob || instance.terminating {
                c.phase = .waiting
                return
            }
            c.phase = .waiting
            c.consecutiveCrashes += 1
            c.nextStartAt = now.addingTimeInterval(backoff.delay(afterCrashes: max(c.consecutiveCrashes, 2)).seconds)
        }
    }

    /// A container's process ended. Services schedule the restart (backoff); jobs keep the result.
    public mutating func containerExited(
        _ key: InstanceKey, _ name: String, exit: ContainerExit, at now: Date, backoff: Backoff
    ) {
        guard let instance = instances[key] else { return }
        observed.note(key.object)
        updateContainer(key, name) { c in
            c.lastExit = exit
            c.lastExitAt = now
            c.handle = nil
            c.ready = false
            if instance.isJob || instance.terminating {
                c.phase = .exited
                return
            }
            // A service container that exited (or was restarted for failing liveness) starts again.
            c.consecutiveCrashes = backoff.crashes(
                previous: c.consecutiveCrashes, startedAt: c.startedAt, exitedAt: now)
            c.phase = .waiting
            c.nextStartAt = now.addingTimeInterval(backoff.delay(afterCrashes: c.consecutiveCrashes).seconds)
        }
    }

    /// A readiness or liveness probe answered.
    public mutating func probeAnswered(
        _ key: InstanceKey, _ name: String, liveness: Bool, success: Bool, threshold: Int
    ) {
        observed.note(key.object)
        updateContainer(key, name) { c in
            guard c.phase == .running else { return }
            if liveness {
                if success {
                    c.livenessSeen = true
                    c.livenessFailures = 0
                } else if c.livenessSeen || c.ready {
                    c.livenessFailures += 1
                }
            } else if success {
                c.ready = true
                c.readinessFailures = 0
            } else {
                c.readinessFailures += 1
                if c.readinessFailures >= threshold { c.ready = false }
            }
        }
    }
}

extension ContainerState {
    /// A start at `now`: a restart when the container ran or ended before.
    fileprivate mutating func recordStart(at now: Date) {
        if startedAt != nil || lastExit != nil {
            restartCount += 1
            lastRestartAt = now
        }
        startedAt = now
        startError = nil
    }

    /// Its process is `handle`; the probes start over (`ready`: at once without a readiness probe).
    fileprivate mutating func runs(_ handle: ContainerHandle, ready: Bool) {
        self.handle = handle
        readinessFailures = 0
        livenessFailures = 0
        livenessSeen = false
        self.ready = ready
    }
}
