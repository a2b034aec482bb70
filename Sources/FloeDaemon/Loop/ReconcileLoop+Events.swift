import FloeCore
import FloeRuntime
import FloeSpec
import Foundation
import Logging

/// What one batch of events asks of the loop once they are all taken in.
struct BatchEffects {
    /// Plan after the batch.
    var plan = false
    /// The plan must cover the whole world (the batch freed room or changed the stage).
    var full = false
    /// The world or the stage changed: publish and save even when the plan is empty (a timer or a
    /// rescan that found nothing new publishes only when its plan acts).
    var worldChanged = false

    /// The batch changed the world: plan (over the whole world when `full`) and publish.
    mutating func changed(full: Bool) {
        plan = true
        worldChanged = true
        if full { self.full = true }
    }
    /// Commands to answer once the batch's snapshot is published.
    var done: [CheckedContinuation<Void, Never>] = []
}

extension ReconcileLoop {
    /// Takes one batch of events in, in order, then plans once and publishes.
    func process(_ batch: [LoopEvent]) {
        var effects = BatchEffects()
        for event in batch { take(event, into: &effects) }
        if stageDirty { rebuildStageView() }
        if effects.plan {
            if effects.full { fullPlanDue = true }
            reconcile(worldChanged: effects.worldChanged, scoped: true)
        } else if effects.worldChanged {
            changed()
        }
        for continuation in effects.done { continuation.resume() }
    }

    func take(_ event: LoopEvent, into effects: inout BatchEffects) {
        switch event {
        case .stageChanged(let names):
            applyStageChanges(registry.reload(names, now: clock.now))
            stageDirty = true
            effects.changed(full: true)
        case .fullScan(let names, let changed, let done):
            if let done { effects.done.append(done) }
            let toRead = stageComplete ? changed.union(names.subtracting(registry.entries.keys)) : names
            let changes = registry.reload(toRead, all: names, now: clock.now)
            let first = !stageComplete
            if first {
                stageComplete = true
                record(nil, nil, nil, "scanned", "first full scan of \(settings.stageDirectory): \(names.count) files")
            }
            applyStageChanges(changes)
            stageDirty = stageDirty || first || !changes.isEmpty
            effects.plan = true
            effects.full = true
            // A periodic rescan that found nothing new changes nothing unless the plan does something.
            if first || !changes.isEmpty { effects.worldChanged = true }
        case .started(let ref, let handle, let runner):
            guard isCurrent(runner, of: ref.key) else { return }
            containerStarted(ref, handle, effects: &effects)
        case .failedToStart(let ref, let reason, let runner):
            guard isCurrent(runner, of: ref.key) else { return }
            containerFailedToStart(ref, reason: reason)
            effects.changed(full: true)  // a failed start can free room and ports
        case .exited(let ref, let exit, let pid, let runner):
            guard isCurrent(runner, of: ref.key), world.container(ref.key, ref.container)?.handle?.pid == pid else {
                return
            }
            if let run = world.container(ref.key, ref.container)?.handle?.run { endsToDiscard.insert(run) }
            world.containerExited(ref.key, ref.container, exit: exit, at: clock.now, backoff: planner.backoff)
            record(
                ref.key.object, ref.key.id, ref.container, "exited", "process \(pid) \(exit)",
                level: exit.succeeded ? .info : .warning)
            releaseIfFinished(ref.key)
            effects.changed(full: true)  // an exit can free room and ports
        case .adopted(let ref, let handle, let adoption, let runner):
            guard isCurrent(runner, of: ref.key), world.container(ref.key, ref.container)?.handle == handle else {
                return
            }
            containerAdopted(ref, handle, adoption, effects: &effects)
        case .networkAttached(let key, let address, let runner):
            guard isCurrent(runner, of: key) else { return }
            addresses[key] = address
            effects.worldChanged = true
        case .runnerRetired(let key, let runner):
            if retiring[key]?.id == runner { retiring[key] = nil }
        case .probes(let outcomes):
            for outcome in outcomes where probes.isCurrent(outcome) { probeAnswered(outcome, effects: &effects) }
        case .timer:
            wakeAt = nil
            effects.plan = true
            effects.full = true
        case .command(let command, let done):
            perform(command, effects: &effects)
            if let done { effects.done.append(done) }
        }
    }

    /// Whether `runner` is the runner of instance `key` now (reports of a runner replaced since are dropped).
    func isCurrent(_ runner: Int, of key: InstanceKey) -> Bool {
        runners[key]?.id == runner
    }

    func applyStageChanges(_ changes: [StageRegistry.Change]) {
        for change in changes {
            switch change {
            case .loaded(let name, let kind, let file, let updated):
                record(name, nil, nil, updated ? "updated" : "loaded", "\(kind) from \(file)")
            case .rejected(let name, let file, let errors, let keepsRunning):
                let first = errors.first.map { "\($0.line):\($0.column): \($0.message)" } ?? ""
                let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
                let tail = keepsRunning ? "; the last good version keeps running" : ""
                record(name, nil, nil, "rejected", "\(file):\(first)\(more)\(tail)", level: .warning)
            case .removed(let name, let file):
                record(name, nil, nil, "removed", "\(file) was removed")
            }
        }
    }

    func containerStarted(_ ref: ContainerRef, _ handle: ContainerHandle, effects: inout BatchEffects) {
        guard let c = world.container(ref.key, ref.container) else { return }
        switch c.phase {
        case .starting:
            world.containerStarted(ref.key, ref.container, handle: handle, at: clock.now)
            record(
                ref.key.object, ref.key.id, ref.container,
                c.restartCount > 0 || c.lastExit != nil ? "restarted" : "started",
                "process \(handle.pid) started")
            effects.changed(full: false)
        case .stopping:
            // Stopped while it was being started: the runner stops it next; its exit ends the stop.
            world.updateContainer(ref.key, ref.container) { $0.handle = handle }
        case .waiting, .exited, .running:
            runners[ref.key]?.restart(ref.container, grace: .seconds(5))
        }
    }

    /// What a runner found of a container a previous floed started: it runs (nothing changes but the
    /// event), or it ended while floed was down (its real status, at its real time), or nobody knows how
    /// it ended (an unknown status: a service restarts it, a job replica fails).
    func containerAdopted(
        _ ref: ContainerRef, _ handle: ContainerHandle, _ adoption: Adoption, effects: inout BatchEffects
    ) {
        let (object, id, name) = (ref.key.object, ref.key.id, ref.container)
        switch adoption {
        case .running:
            record(object, id, name, "adopted", "process \(handle.pid) still runs: adopted")
            return
        case .ended(let exit, let at):
            if let run = handle.run { endsToDiscard.insert(run) }
            world.containerExited(ref.key, name, exit: exit, at: at ?? clock.now, backoff: planner.backoff)
            record(
                object, id, name, "exited", "process \(handle.pid) \(exit) while floed was down",
                level: exit.succeeded ? .info : .warning)
        case .lost(let reason):
            if let run = handle.run { endsToDiscard.insert(run) }
            world.containerExited(ref.key, name, exit: .unknown, at: clock.now, backoff: planner.backoff)
            record(object, id, name, "lost", "process \(handle.pid) is not adopted: \(reason)", level: .warning)
        }
        releaseIfFinished(ref.key)
        effects.changed(full: true)
    }

    /// A container could not be started (its launch could not be built, a hook refused, or the runtime
    /// failed): it waits with `reason` as its message; a job replica that can run nothing more releases
    /// what it holds. The caller asks for a full plan (the failure can free room and ports).
    func containerFailedToStart(_ ref: ContainerRef, reason: String) {
        world.containerFailedToStart(ref.key, ref.container, reason: reason, at: clock.now, backoff: planner.backoff)
        record(ref.key.object, ref.key.id, ref.container, "start-failed", reason, level: .error)
        releaseIfFinished(ref.key)
    }

    /// A job replica whose containers all ended releases what it holds (its network).
    func releaseIfFinished(_ key: InstanceKey) {
        guard let instance = world.instances[key], instance.isJob, instance.isQuiet,
            instance.succeeded || instance.failed
        else { return }
        addresses[key] = nil
        runners[key]?.release()
    }

    func probeAnswered(_ outcome: ProbeOutcome, effects: inout BatchEffects) {
        let ref = outcome.probe.ref
        let liveness = outcome.probe.liveness
        guard let before = world.container(ref.key, ref.container), before.phase == .running else { return }
        let success = outcome.result == .success
        world.probeAnswered(ref.key, ref.container, liveness: liveness, success: success, threshold: outcome.threshold)
        guard let after = world.container(ref.key, ref.container) else { return }
        if !liveness && before.ready != after.ready {
            if after.ready {
                record(ref.key.object, ref.key.id, ref.container, "ready", "readiness probe succeeded")
            } else if case .failure(let why) = outcome.result {
                record(
                    ref.key.object, ref.key.id, ref.container, "probe-failed",
                    "readiness probe failing (\(why)); no longer READY", level: .warning)
            }
            effects.changed(full: false)
        } else if liveness && after.livenessFailures >= outcome.threshold {
            effects.changed(full: false)
        } else if !success,
            after.readinessFailures == outcome.threshold || after.livenessFailures == outcome.threshold,
            case .failure(let why) = outcome.result
        {
            record(
                ref.key.object, ref.key.id, ref.container, "probe-failed",
                "\(liveness ? "liveness" : "readiness") probe: \(why)", level: .warning)
            effects.worldChanged = true
        }
    }
}
