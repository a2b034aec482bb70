import FloeCore
import FloeSpec
import Foundation

extension ReconcileLoop {
    /// Carries out one action whose bookkeeping the world already has: what touches processes goes to
    /// the instance's runner; every action is recorded as an event.
    func perform(_ action: Action, desired: DesiredState) {
        switch action {
        case .addNode(let node):
            record(node.pool, nil, nil, "node-added", "node \(node.index) added to pool \(node.pool)")
        case .removeNode(let node):
            record(node.pool, nil, nil, "node-removed", "idle node \(node.index) removed from pool \(node.pool)")
        case .place(let key, let digest, let node, let attempt):
            let again = attempt > 1 ? " (attempt \(attempt))" : ""
            record(key.object, key.id, nil, "placed", "instance placed on \(node), spec \(digest.prefix(12))\(again)")
        case .unschedulable(let key, _, let message):
            record(key.object, key.id, nil, "unschedulable", message, level: .warning)
        case .startContainer(let key, let name):
            startContainer(ContainerRef(key, name), desired: desired)
        case .restartContainer(let key, let name):
            record(
                key.object, key.id, name, "liveness-failed", "liveness probe failed; restarting the container",
                level: .warning)
            runners[key]?.restart(name, grace: grace(key.object, desired))
        case .stopInstance(let key, let reason):
            record(key.object, key.id, nil, "stopping", "stopping instance: \(reason.rawValue)")
            runners[key]?.stop(grace: grace(key.object, desired))
        case .forgetInstance(let key):
            forgetRunner(key)
            record(key.object, key.id, nil, "stopped", "instance stopped and removed")
        case .startJobRun(let name, let digest):
            // A new run replaces the replicas of the run before (the world has dropped them).
            forgetRunnersOfDroppedInstances(of: name)
            record(name, nil, nil, "job-started", "job run started, spec \(digest.prefix(12))")
        case .finishJobRun(let name, let result):
            record(name, nil, nil, "job-\(result.rawValue.lowercased())", "job \(result.rawValue)")
        case .forgetJob(let name):
            forgetRunnersOfDroppedInstances(of: name)
            record(name, nil, nil, "forgotten", "job history removed after the retention time")
        case .setUpgradeBlocked(let name, let message):
            if let message {
                record(name, nil, nil, "upgrade-stopped", message, level: .error)
            } else {
                record(name, nil, nil, "upgraded", "rolling upgrade finished")
            }
        case .suspendPool(let name, let reason):
            switch reason {
            case .initially:
                record(name, nil, nil, "pool-suspended", "pool created suspended (initiallySuspended)")
            case .idle:
                let seconds = desired.pools[name]?.autoSuspendSecs ?? 0
                record(name, nil, nil, "pool-suspended", "pool suspended after \(seconds) s without work; its nodes go")
            }
        case .resumePool(let name, let reason):
            record(name, nil, nil, "pool-resumed", "pool resumed: \(reason.rawValue)")
        case .setPoolIdle(let name, let since):
            if since != nil, let seconds = desired.pools[name]?.autoSuspendSecs, seconds > 0 {
                let message = "nothing runs on pool \(name); it suspends in \(seconds) s unless work is placed on it"
                record(name, nil, nil, "pool-idle", message)
            }
        case .suspendService(let name, let reason):
            let seconds = desired.services[name]?.header.autoSuspendSecs ?? 0
            let why = reason == .idle ? "no ingress or function traffic for \(seconds) s" : reason.rawValue
            record(name, nil, nil, "suspended", "service suspended: \(why); instances stop")
        case .resumeService(let name):
            record(name, nil, nil, "resumed", "service resumed")
        case .forgetPool, .setServiceActive, .forgetService:
            break
        }
    }

    func grace(_ object: ObjectName, _ desired: DesiredState) -> Duration {
        .seconds(desired.stopGraceSeconds(of: object))
    }

    /// Builds the container's launch from the desired state and hands it to the instance's runner.
    func startContainer(_ ref: ContainerRef, desired: DesiredState) {
        guard let instance = world.instances[ref.key], let spec = instance.containerSpec(named: ref.container) else {
            return
        }
        let image = registry.image(for: spec.image)
        let logFile = settings.logFile(object: ref.key.object, instance: ref.key.id, container: ref.container)
        switch LaunchBuilder.launch(
            ref.key, spec, image: image, desired: desired, logFile: logFile, context: launchContext)
        {
        case .success(var launch):
            launch.instance = instance
            let start = ContainerStart(
                container: spec, launch: launch, image: image, runAs: desired.runAs(of: ref.key.object),
                secrets: secrets)
            runner(for: ref.key).start(start)
        case .failure(let error):
            containerFailedToStart(ref, reason: "Failed to pull image: \(error.description)")
            fullPlanDue = true  // a failed start can free room and ports
        }
    }

    /// The runner of instance `key`, made on first use (after the one it replaces, if that one is
    /// still forgetting the same key).
    func runner(for key: InstanceKey) -> InstanceRunner {
        if let runner = runners[key] { return runner }
        nextRunnerID += 1
        let queue = self.queue
        let runner = InstanceRunner(
            key: key, id: nextRunnerID, runtime: runtime, hooks: hooks, after: retiring[key]?.tail
        ) { event in queue.send(event) }
        runners[key] = runner
        return runner
    }

    /// Forgets the runners of `name`'s instances that the world dropped (a job's run replaced or removed).
    func forgetRunnersOfDroppedInstances(of name: ObjectName) {
        for key in runners.keys where key.object == name && world.instances[key] == nil { forgetRunner(key) }
    }

    /// Hands instance `key`'s runner its last operation: stop what may still run, release, clean up.
    func forgetRunner(_ key: InstanceKey) {
        addresses[key] = nil
        // An instance that never started a container in this run of floed (restored, then removed)
        // gets a runner too: its hooks remove what an earlier run left (secret files).
        let runner = runner(for: key)
        runners[key] = nil
        runner.forget()
        retiring[key] = runner
    }
}
