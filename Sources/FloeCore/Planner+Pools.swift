import FloeSpec
import Foundation

extension PlanningPass {
    /// SPCS's pool life cycle: a pool without work for AUTO_SUSPEND_SECS suspends (its nodes go);
    /// a pool created with INITIALLY_SUSPENDED starts without nodes; a suspended pool resumes when
    /// work is placed on it and it has AUTO_RESUME (see ``placeInstance``), or when
    /// `initiallySuspended` is removed from its file. AUTO_SUSPEND_SECS 0 never suspends.
    mutating func planPools() {
        for name in desired.pools.keys.sorted() {
            let spec = desired.pools[name]!
            let activity = world.pools[name]
            if let suspension = activity?.suspension {
                if suspension == .initially && !spec.initiallySuspended { resumePool(name, .fileChanged) }
                continue
            }
            // INITIALLY_SUSPENDED applies when the pool is created only: a running pool always has
            // nodes (MIN_NODES is at least 1), and one floe has suspended or resumed has a record.
            if activity == nil && spec.initiallySuspended && (world.nodes[name] ?? []).isEmpty {
                emit(.suspendPool(name, .initially))
                continue
            }
            // The idle time is kept only for pools that can suspend, so others plan no bookkeeping.
            if spec.autoSuspendSecs <= 0 || hasWork(name) {
                if activity?.idleSince != nil { emit(.setPoolIdle(name, since: nil)) }
                continue
            }
            guard let since = activity?.idleSince else {
                emit(.setPoolIdle(name, since: now))
                continue
            }
            let due = since.addingTimeInterval(Double(spec.autoSuspendSecs))
            if due <= now {
                // Before the first full scan a service file not read yet may still give it work.
                if desired.complete { emit(.suspendPool(name, .idle)) }
            } else {
                wake(at: due)
            }
        }
        guard desired.complete else { return }
        for name in world.pools.keys.sorted() where desired.pools[name] == nil && world.nodes[name] == nil {
            emit(.forgetPool(name))
        }
    }

    /// True when the pool has work: an instance placed on one of its nodes that runs or still
    /// holds its room, a service that asks for instances in it, or a job run in it that has not ended.
    func hasWork(_ pool: ObjectName) -> Bool {
        if world.instances.values.contains(where: { $0.node?.pool == pool && $0.occupiesNode }) { return true }
        let wanted = desired.services.values.contains { service in
            service.pool == pool && service.header.minInstances > 0 && !world.isSuspended(service: service.name)
        }
        if wanted { return true }
        return desired.jobs.values.contains { job in
            guard job.pool == pool else { return false }
            guard let run = world.jobRuns[job.name], run.digest == job.digest else { return true }
            return run.result == nil
        }
    }

    /// True while a pool is suspended.
    func isSuspended(_ pool: ObjectName) -> Bool {
        world.pools[pool]?.suspended == true
    }

    /// Resumes a suspended pool and gives it its MIN_NODES nodes at once.
    mutating func resumePool(_ name: ObjectName, _ reason: PoolResumption) {
        emit(.resumePool(name, reason))
        if let spec = desired.pools[name] { addMinimumNodes(name, spec) }
    }

    /// Adds nodes until the pool has MIN_NODES.
    mutating func addMinimumNodes(_ name: ObjectName, _ spec: ComputePoolSpec) {
        var nodes = world.nodes[name] ?? []
        while nodes.count < spec.minNodes {
            let node = NodeRef(pool: name, index: (nodes.max() ?? -1) + 1)
            emit(.addNode(node))
            nodes.append(node.index)
        }
    }

    /// Why an instance waits for a suspended pool without AUTO_RESUME, and how to resume it.
    func suspendedMessage(_ pool: ObjectName, _ spec: ComputePoolSpec) -> String {
        let file = "\(pool.value.lowercased()).yaml"
        if world.pools[pool]?.suspension == .initially {
            return "Compute pool \(pool) is suspended (initiallySuspended) and autoResume is false; "
                + "set autoResume: true or remove initiallySuspended in \(file) to resume it"
        }
        return "Compute pool \(pool) is suspended (idle for \(spec.autoSuspendSecs) s) and autoResume is false; "
            + "set autoResume: true in \(file) to resume it"
    }
}

extension InstanceState {
    /// True while the instance counts as work on its node: placed, and neither a finished job
    /// replica nor a stopped instance.
    public var occupiesNode: Bool {
        guard node != nil else { return false }
        if !isQuiet { return true }
        if isJob && (succeeded || failed) { return false }
        return !terminating
    }
}
