import FloeCore
import FloeSpec
import Foundation

extension ReconcileLoop {
    /// Plans and acts until the plan is empty; then schedules the next wake-up. `worldChanged`: the
    /// caller changed the world or the stage, so the snapshot is published and the world saved even
    /// when the plan is empty (otherwise only when it was not).
    ///
    /// `scoped`: plan only the objects observed changing (processes started, probes answered: the
    /// world's ``ObservationJournal``) unless something asked for a whole plan since the last one
    /// (``fullPlanDue``: stage changes, exits, failed starts and timers, which free room or change what
    /// other objects wait for). Whatever changes anything else must set ``fullPlanDue``.
    func reconcile(worldChanged: Bool = true, scoped: Bool = false) {
        var acted = false
        let now = clock.now
        let desired = stageView.desired
        var scope = takePlanScope(scoped: scoped)
        var settled = false
        for _ in 0..<64 {
            let plan = nextPlan(desired: desired, now: now, scope: &scope)
            schedule(wakeAt: plan.wakeAt)
            if plan.actions.isEmpty {
                settled = true
                break
            }
            acted = true
            for action in plan.actions {
                world.apply(action, desired: desired, now: now)
                perform(action, desired: desired)
            }
            scope = confirmationScope(after: plan.actions)
        }
        // A loop cut short may have left work for objects the next scoped plan would not look at.
        if !settled { fullPlanDue = true }
        if acted || worldChanged { changed() }
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

    /// The stage or the secrets changed: the stage view (and the desired state in it) is built again.
    func rebuildStageView() {
        stageDirty = false
        stageView = Self.stageView(
            version: stageView.version + 1, registry: registry, complete: stageComplete, secrets: secrets)
    }

    /// The stage view of `registry`, with the desired state the planner sees: the secret versions
    /// folded into the digests of the services that use them.
    static func stageView(
        version: Int, registry: StageRegistry, complete: Bool, secrets: [ObjectName: StoredSecret]
    ) -> StageView {
        let desired = DesiredStateBuilder.build(
            stage: registry.desiredState(complete: complete), complete: complete,
            secretVersions: secrets.mapValues(\.version), uses: SecretDelivery.names(in:))
        return StageView(version: version, registry: registry, complete: complete, desired: desired)
    }

    /// Something changed: publishes a snapshot, hands the services' routes to the network and saves
    /// the world (coalesced).
    func changed(publishingRoutes: Bool = true) {
        generation += 1
        let snapshot = WorldSnapshot(
            generation: generation, world: world, stage: stageView, addresses: addresses, secrets: secrets)
        broadcaster.publish(snapshot)
        if publishingRoutes && network.isolatesInstances { routes.update(snapshot) }
        unsavedChanges = true
        scheduleSave()
    }

    // MARK: Timer

    func schedule(wakeAt date: Date?) {
        guard let date else { return }
        if let current = wakeAt, current <= date, current > clock.now { return }
        wakeAt = date
        wakeTask?.cancel()
        let (clock, queue) = (self.clock, self.queue)
        wakeTask = Task {
            do {
                try await clock.sleep(until: date.addingTimeInterval(0.001))
            } catch {
                return
            }
            queue.send(.timer)
        }
    }

    // MARK: Saving

    /// Saves are coalesced: the first change after a quiet time is saved at once, later ones at most
    /// once per 500 ms however busy the loop is (a crash loses at most that much of the records; the
    /// runs the monitors recorded fill the gap when floed starts again). The JSON is made and written
    /// off the actor, from a copy of the world.
    func scheduleSave() {
        guard saveTask == nil, !shutDown else { return }
        let clock = self.clock
        let due = lastSaveAt.addingTimeInterval(0.5)
        saveTask = Task.detached { [weak self] in
            if due > clock.now { try? await clock.sleep(until: due) }
            guard let self, let (world, ends) = await self.worldToSave() else { return }
            self.save(world, discarding: ends)
            await self.saved()
        }
    }

    /// The world as it is now, for the save under way, and the runs whose ends it holds (nil when the
    /// loop was shut down).
    func worldToSave() -> (World, Set<String>)? {
        guard saveTask != nil else { return nil }
        unsavedChanges = false
        lastSaveAt = clock.now
        defer { endsToDiscard = [] }
        return (world, endsToDiscard)
    }

    /// A background save finished: save again if the world changed meanwhile.
    func saved() {
        saveTask = nil
        if unsavedChanges { scheduleSave() }
    }

    /// Saves `world`; once it is saved, the runtime's records of the runs whose ends it holds (`ends`)
    /// can go (until then they are what a restarted floed would learn those ends from).
    nonisolated func save(_ world: World, discarding ends: Set<String> = []) {
        do {
            try store.save(world)
            runtime.discardRuns(ends.subtracting(world.runs))
        } catch {
            logger.error("could not save state: \(error)")
        }
        events.flush()
    }

    /// Saves the world now, on the actor, after any background save (at shutdown).
    func saveNow() async {
        let running = saveTask
        saveTask = nil
        running?.cancel()
        await running?.value
        unsavedChanges = false
        save(world, discarding: endsToDiscard)
        endsToDiscard = []
    }
}
