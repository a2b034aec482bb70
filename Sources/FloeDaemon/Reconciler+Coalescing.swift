import FloeCore
import FloeSpec
import Foundation

extension Reconciler {
    /// Asks for a ``reconcile()`` once the events already waiting for the actor are handled, so that a
    /// burst of events (N files renamed into the stage, N processes started, N probes answering) ends
    /// in a few plans over the whole world instead of one plan per event. Asking again before the
    /// queued one has run adds nothing.
    ///
    /// The queued plan covers only the objects the world's ``ObservationJournal`` names (processes
    /// started, probes answered) unless something else asked for a full plan since the last one
    /// (``fullPlanDue``: stage changes, exits and failed starts, which free room other objects may
    /// wait for). A caller that changes anything else before calling this must set ``fullPlanDue``.
    func reconcileSoon() {
        guard !reconcileQueued else { return }
        reconcileQueued = true
        Task { [weak self] in await self?.runQueuedReconcile() }
    }

    /// Runs the plan ``reconcileSoon()`` queued (scoped when it may be).
    func runQueuedReconcile() {
        guard reconcileQueued else { return }
        reconcileQueued = false
        reconcile(scoped: true)
    }

    /// The objects the next plan may be limited to; nil = plan the whole world. Empties the journal.
    func takePlanScope(scoped: Bool) -> Set<ObjectName>? {
        let observed = world.takeObservedObjects()
        let full = fullPlanDue || !scoped
        fullPlanDue = false
        return full ? nil : observed
    }

    /// What the plan after `actions` (applied and performed) must cover. The planner promises that
    /// planning again on a world with its own plan applied asks for nothing new, so the objects the
    /// actions were about (and any observed while performing them) are planned once more as a check,
    /// not the whole world; nil (the whole world) after pool or node actions, or when performing the
    /// actions asked for a full plan.
    func confirmationScope(after actions: [Action]) -> Set<ObjectName>? {
        var objects = world.takeObservedObjects()
        if fullPlanDue {
            fullPlanDue = false
            return nil
        }
        for action in actions {
            guard let object = action.object else { return nil }
            objects.insert(object)
        }
        return objects
    }

    /// The plan of `scope`'s objects, or of the whole world when there is no scope or the scoped plan
    /// reached beyond its objects (then `scope` becomes nil for the rest of this reconcile).
    func nextPlan(desired: DesiredState, now: Date, scope: inout Set<ObjectName>?) -> Plan {
        if let objects = scope {
            if let plan = planner.plan(desired: desired, world: world, now: now, objects: objects) { return plan }
            scope = nil
        }
        return planner.plan(desired: desired, world: world, now: now)
    }
}
