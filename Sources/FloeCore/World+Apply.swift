import FloeSpec
import Foundation

extension World {
    /// Applies the bookkeeping part of an action (the executor then does the side effects:
    /// spawning and signalling processes). The planner applies its own actions to a copy with this
    /// same function, so that one pass accounts for every placement it makes.
    public mutating func apply(_ action: Action, desired: DesiredState, now: Date) {
        switch action {
        case .addNode(let node):
            nodes[node.pool, default: []].append(node.index)
            nodes[node.pool]?.sort()
        case .removeNode(let node):
            nodes[node.pool]?.removeAll { $0 == node.index }
            if nodes[node.pool]?.isEmpty == true { nodes[node.pool] = nil }
        case .place(let key, let digest, let node, let attempt):
            guard let (spec, isJob) = desired.spec(of: key.object) else { return }
            instances[key] = InstanceState(
                key: key, digest: digest, spec: spec, isJob: isJob, node: node, request: spec.instanceRequest,
                createdAt: now, attempt: attempt)
        case .unschedulable(let key, let digest, let message):
            if var existing = instances[key], existing.node == nil, existing.digest == digest {
                existing.pendingMessage = message
                instances[key] = existing
            } else if let (spec, isJob) = desired.spec(of: key.object) {
                var instance = InstanceState(
                    key: key, digest: digest, spec: spec, isJob: isJob, node: nil, request: spec.instanceRequest,
                    createdAt: now)
                instance.pendingMessage = message
                instances[key] = instance
            }
        case .startContainer(let key, let name):
            updateContainer(key, name) {
                $0.phase = .starting
                $0.nextStartAt = nil
            }
        case .restartContainer(let key, let name):
            updateContainer(key, name) {
                $0.phase = .stopping
                $0.livenessFailures = 0
            }
        case .stopInstance(let key, let reason):
            guard var instance = instances[key] else { return }
            instance.terminating = true
            instance.stopReason = reason
            for i in instance.containers.indices {
                switch instance.containers[i].phase {
                case .running, .starting: instance.containers[i].phase = .stopping
                case .waiting:
                    instance.containers[i].phase = instance.containers[i].startedAt == nil ? .waiting : .exited
                case .exited, .stopping: break
                }
                instance.containers[i].ready = false
            }
            instances[key] = instance
        case .forgetInstance(let key):
            instances[key] = nil
        case .startJobRun(let name, let digest):
            for key in instances.keys where key.object == name { instances[key] = nil }
            jobRuns[name] = JobRun(digest: digest, startedAt: now)
        case .finishJobRun(let name, let result):
            jobRuns[name]?.finishedAt = now
            jobRuns[name]?.result = result
        case .forgetJob(let name):
            jobRuns[name] = nil
            for key in instances.keys where key.object == name { instances[key] = nil }
        case .setUpgradeBlocked(let name, let message):
            upgradeBlocked[name] = message
        case .suspendPool(let name, let reason):
            pools[name, default: PoolActivity()].suspension = reason
            pools[name]?.suspendedAt = now
            pools[name]?.idleSince = nil
        case .resumePool(let name, _):
            pools[name, default: PoolActivity()].suspension = nil
            pools[name]?.resumedAt = now
            pools[name]?.idleSince = nil
        case .setPoolIdle(let name, let since):
            pools[name, default: PoolActivity()].idleSince = since
        case .forgetPool(let name):
            pools[name] = nil
        case .suspendService(let name, let reason):
            services[name, default: ServiceActivity()].suspension = reason
            services[name]?.suspendedAt = now
        case .resumeService(let name):
            services[name, default: ServiceActivity()].suspension = nil
            services[name]?.resumedAt = now
            services[name]?.lastActiveAt = now
        case .setServiceActive(let name, let at):
            services[name, default: ServiceActivity()].lastActiveAt = at
        case .forgetService(let name):
            services[name] = nil
        }
    }

    /// Changes one container of one instance in place.
    public mutating func updateContainer(_ key: InstanceKey, _ name: String, _ change: (inout ContainerState) -> Void) {
        guard var instance = instances[key], let i = instance.containers.firstIndex(where: { $0.name == name }) else {
            return
        }
        change(&instance.containers[i])
        instances[key] = instance
    }
}
