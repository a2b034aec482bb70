import FloeAPI
import FloeCore
import FloeRuntime
import FloeSpec
import Foundation
import Logging

extension Reconciler {
    /// Carries out the side effects of one action (the world is already updated).
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
            startContainer(key, name, desired: desired)
        case .restartContainer(let key, let name):
            record(
                key.object, key.id, name, "liveness-failed", "liveness probe failed; restarting the container",
                level: .warning)
            stopProbes(key, name)
            if let handle = world.instances[key]?.containers.first(where: { $0.name == name })?.handle {
                let grace = graceSeconds(key.object, desired: desired)
                let runtime = self.runtime
                Task { await runtime.stop(handle, grace: .seconds(grace)) }
            }
        case .stopInstance(let key, let reason):
            record(key.object, key.id, nil, "stopping", "stopping instance: \(reason.rawValue)")
            stopInstanceProcesses(key, grace: graceSeconds(key.object, desired: desired))
        case .forgetInstance(let key):
            removeSecretFiles(of: key)
            record(key.object, key.id, nil, "stopped", "instance stopped and removed")
        case .startJobRun(let name, let digest):
            record(name, nil, nil, "job-started", "job run started, spec \(digest.prefix(12))")
        case .finishJobRun(let name, let result):
            record(name, nil, nil, "job-\(result.rawValue.lowercased())", "job \(result.rawValue)")
        case .forgetJob(let name):
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
        case .forgetPool:
            break
        case .suspendService, .resumeService, .setServiceActive, .forgetService:
            performServiceActivity(action, desired: desired)
        }
    }

    func graceSeconds(_ object: ObjectName, desired: DesiredState) -> Int64 {
        if let header = desired.services[object]?.header { return Int64(header.stopGraceSeconds) }
        if let header = desired.jobs[object]?.header { return Int64(header.stopGraceSeconds) }
        return 30
    }

    func stopInstanceProcesses(_ key: InstanceKey, grace: Int64) {
        guard let instance = world.instances[key] else { return }
        let runtime = self.runtime
        for c in instance.containers {
            stopProbes(key, c.name)
            if let handle = c.handle {
                Task { await runtime.stop(handle, grace: .seconds(grace)) }
            }
        }
    }

    // MARK: Starting

    func startContainer(_ key: InstanceKey, _ name: String, desired: DesiredState) {
        guard let instance = world.instances[key],
            let spec = instance.spec.containers.first(where: { $0.name == name })
        else { return }
        var launch: ContainerLaunch
        switch makeLaunch(key, spec, instance: instance, desired: desired) {
        case .success(let value): launch = value
        case .failure(let error):
            containerFailedToStart(key, name, reason: "Failed to pull image: \(error.description)")
            return
        }
        if let problem = secureLaunch(&launch, key, spec, desired: desired) {
            containerFailedToStart(key, name, reason: problem)
            return
        }
        let runtime = self.runtime
        let attachment = network.isolatesInstances ? attachNetwork(key) : nil
        Task { [weak self] in
            var launch = launch
            if let attachment {
                switch await attachment.value {
                case .success(let value): launch.networkNamespace = value.namespace
                case .failure(let error):
                    await self?.containerFailedToStart(key, name, reason: "Encountered fatal error, retrying: \(error)")
                    return
                }
            }
            do throws(ContainerStartError) {
                let handle = try await runtime.start(launch) { [weak self] exit in
                    self?.containerExited(key, name, exit)
                }
                await self?.containerStarted(key, name, handle)
            } catch {
                let reason: String
                switch error {
                case .executableNotFound, .workingDirectoryMissing: reason = "Failed to pull image: \(error)"
                case .spawnFailed: reason = "Encountered fatal error, retrying: \(error)"
                }
                await self?.containerFailedToStart(key, name, reason: reason)
            }
        }
    }

    /// argv, environment and directory of a container, the SPCS way: `command` replaces the
    /// image's entrypoint, `args` its cmd; env = base + image env + spec env + SPCS's variables.
    func makeLaunch(
        _ key: InstanceKey, _ spec: ContainerSpec, instance: InstanceState, desired: DesiredState
    ) -> Result<ContainerLaunch, LaunchError> {
        let image = registry.image(for: spec.image)
        var argv: [String]
        if let command = spec.command {
            argv = command + (spec.args ?? [])
        } else if let image {
            argv = image.entrypoint + (spec.args ?? image.cmd)
        } else {
            return .failure(.noImage(spec.image))
        }
        if argv.isEmpty { return .failure(.emptyCommand(spec.name)) }
        var environment = settings.baseEnvironment
        for variable in image?.env ?? [] { environment[variable.name] = variable.value }
        for variable in spec.env { environment[variable.name] = variable.value }
        let pool = desired.services[key.object]?.pool ?? desired.jobs[key.object]?.pool ?? settings.defaultPoolName
        environment["SNOWFLAKE_SERVICE_NAME"] = key.object.value
        environment["SNOWFLAKE_COMPUTE_POOL"] = pool.value
        environment["SNOWFLAKE_HOST"] = "localhost"
        environment["SNOWFLAKE_ACCOUNT"] = "FLOE"
        environment["SNOWFLAKE_SERVICE_INSTANCE_ID"] = String(key.id)
        if let job = desired.jobs[key.object] {
            environment["SNOWFLAKE_JOBS_COUNT"] = String(job.header.replicas)
            environment["SNOWFLAKE_JOB_INDEX"] = String(key.id)
        }
        argv = argv.map { $0 }
        return .success(
            ContainerLaunch(
                service: key.object, instanceID: key.id, containerName: spec.name, argv: argv, environment: environment,
                workingDirectory: image?.directory ?? settings.stageDirectory,
                logFile: settings.logFile(object: key.object, instance: key.id, container: spec.name)))
    }

    enum LaunchError: Error, CustomStringConvertible {
        case noImage(String)
        case emptyCommand(String)
        var description: String {
            switch self {
            case .noImage(let image):
                "no image file in the stage has reference '\(image)' and the container has no command"
            case .emptyCommand(let name): "container \(name) has an empty command"
            }
        }
    }

    // MARK: Observations

    func containerStarted(_ key: InstanceKey, _ name: String, _ handle: ContainerHandle) {
        guard let c = world.instances[key]?.containers.first(where: { $0.name == name }), c.phase == .starting else {
            // The instance went away while its process was being spawned: stop the process.
            let runtime = self.runtime
            Task { await runtime.stop(handle, grace: .seconds(5)) }
            return
        }
        world.containerStarted(key, name, handle: handle, at: Date())
        record(
            key.object, key.id, name, c.restartCount > 0 || c.lastExit != nil ? "restarted" : "started",
            "process \(handle.pid) started")
        if let exit = pendingExits.removeValue(forKey: PendingKey(key: key, container: name)) {
            containerExited(key, name, exit, pid: handle.pid)
            return
        }
        startProbes(key, name)
        reconcileSoon()
    }

    func containerFailedToStart(_ key: InstanceKey, _ name: String, reason: String) {
        world.containerFailedToStart(key, name, reason: reason, at: Date(), backoff: planner.backoff)
        fullPlanDue = true  // a failed start can free room and ports (see reconcileSoon)
        record(key.object, key.id, name, "start-failed", reason, level: .error)
        reconcileSoon()
    }

    nonisolated func containerExited(_ key: InstanceKey, _ name: String, _ exit: ContainerExit) {
        // Called from the runtime; the pid is not known here, so match on the current handle.
        Task { await self.handleExit(key, name, exit) }
    }

    func handleExit(_ key: InstanceKey, _ name: String, _ exit: ContainerExit) {
        guard let c = world.instances[key]?.containers.first(where: { $0.name == name }) else { return }
        guard let pid = c.handle?.pid else {
            if c.phase == .starting {
                // The exit beat the start notification; keep it for containerStarted. The key is
                // unknown until then, so keep it by container.
                pendingExits[PendingKey(key: key, container: name)] = exit
            }
            return
        }
        containerExited(key, name, exit, pid: pid)
    }

    func containerExited(_ key: InstanceKey, _ name: String, _ exit: ContainerExit, pid: Int32) {
        stopProbes(key, name)
        world.containerExited(key, name, exit: exit, at: Date(), backoff: planner.backoff)
        fullPlanDue = true  // an exit can free room and ports (see reconcileSoon)
        let level: Logger.Level = exit.succeeded ? .info : .warning
        record(key.object, key.id, name, "exited", "process \(pid) \(exit)", level: level)
        reconcileSoon()
    }
}
