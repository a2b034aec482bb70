import FloeAPI
import FloeSpec
import Foundation

/// SPCS's status words and messages, derived from the world.
public enum StatusReport {
    /// Status and message of one container, as `SYSTEM$GET_SERVICE_STATUS` shows them.
    public static func container(_ c: ContainerState, of instance: InstanceState) -> (status: String, message: String) {
        let spec = instance.containerSpec(named: c.name)
        if instance.node == nil {
            return (ContainerStatusName.pending.rawValue, instance.pendingMessage ?? "Waiting to start")
        }
        switch c.phase {
        case .stopping:
            return (
                ContainerStatusName.terminating.rawValue,
                instance.terminating ? "Terminating" : "Restarting: liveness probe failed"
            )
        case .starting:
            return instance.terminating
                ? (ContainerStatusName.terminating.rawValue, "Terminating")
                : (ContainerStatusName.pending.rawValue, "Waiting to start")
        case .running:
            if instance.terminating { return (ContainerStatusName.terminating.rawValue, "Terminating") }
            if c.ready { return (ContainerStatusName.ready.rawValue, "Running") }
            if let probe = spec?.readinessProbe, c.readinessFailures >= probe.failureThreshold {
                return (
                    ContainerStatusName.pending.rawValue,
                    "Readiness probe is failing at path: \(probe.path), port: \(probe.port)"
                )
            }
            return (ContainerStatusName.pending.rawValue, "Waiting to start")
        case .exited:
            if c.lastExit?.succeeded == true { return (ContainerStatusName.done.rawValue, "Completed successfully") }
            return (ContainerStatusName.failed.rawValue, "User application error, check container logs")
        case .waiting:
            if let error = c.startError {
                return (
                    instance.isJob ? ContainerStatusName.failed.rawValue : ContainerStatusName.pending.rawValue, error
                )
            }
            if c.lastExit != nil && !instance.isJob {
                return (ContainerStatusName.failed.rawValue, "Encountered fatal error, retrying")
            }
            return (ContainerStatusName.pending.rawValue, "Waiting to start")
        }
    }

    /// PENDING, READY, FAILED, TERMINATING, SUCCEEDED.
    public static func instance(_ instance: InstanceState) -> String {
        if instance.terminating && !instance.isQuiet { return InstanceStatusName.terminating.rawValue }
        if instance.isJob {
            if instance.succeeded { return InstanceStatusName.succeeded.rawValue }
            if instance.failed { return InstanceStatusName.failed.rawValue }
        }
        if instance.isReady { return InstanceStatusName.ready.rawValue }
        if instance.containers.contains(where: {
            container($0, of: instance).status == ContainerStatusName.failed.rawValue
        }) {
            return InstanceStatusName.failed.rawValue
        }
        return InstanceStatusName.pending.rawValue
    }

    /// A service's status: RUNNING once MIN_READY_INSTANCES are ready; a job's roll-up.
    public static func service(
        name: ObjectName, minReady: Int?, isJob: Bool, instances: [InstanceState], run: JobRun?, removed: Bool,
        suspended: Bool = false
    ) -> String {
        if removed && !isJob {
            return instances.isEmpty ? ServiceStatusName.deleted.rawValue : ServiceStatusName.deleting.rawValue
        }
        if suspended && !isJob {
            return instances.isEmpty ? ServiceStatusName.suspended.rawValue : ServiceStatusName.suspending.rawValue
        }
        if isJob {
            if let result = run?.result { return result.rawValue }
            // SPCS's roll-up order: any instance failed, all succeeded, any running, else pending.
            let states = instances.map { instance($0) }
            if states.contains(InstanceStatusName.failed.rawValue) { return ServiceStatusName.failed.rawValue }
            if instances.contains(where: { !$0.isQuiet }) { return ServiceStatusName.running.rawValue }
            if !states.isEmpty && states.allSatisfy({ $0 == InstanceStatusName.succeeded.rawValue }) {
                return ServiceStatusName.done.rawValue
            }
            return ServiceStatusName.pending.rawValue
        }
        let live = instances.filter { !$0.terminating }
        let ready = live.filter(\.isReady).count
        if ready >= max(minReady ?? 1, 1) { return ServiceStatusName.running.rawValue }
        if live.contains(where: { instance($0) == InstanceStatusName.failed.rawValue }) {
            return ServiceStatusName.failed.rawValue
        }
        return ServiceStatusName.pending.rawValue
    }

    /// The `SYSTEM$GET_SERVICE_STATUS` array for one object: one row per container per instance.
    public static func rows(name: ObjectName, instances: [InstanceState]) -> [ContainerStatus] {
        var rows: [ContainerStatus] = []
        for instance in instances.sorted(by: { $0.key.id < $1.key.id }) {
            for (index, c) in instance.containers.enumerated() {
                let (status, message) = container(c, of: instance)
                rows.append(
                    ContainerStatus(
                        status: status, message: message, containerName: c.name, instanceId: String(instance.key.id),
                        serviceName: name.value, image: instance.spec.containers[index].image,
                        restartCount: c.restartCount, startTime: c.startedAt.map(Timestamp.rfc3339)))
            }
        }
        return rows
    }

    /// True when a status no longer changes by itself: all READY (services), or DONE/FAILED (jobs).
    public static func isSteady(_ rows: [ContainerStatus], isJob: Bool) -> Bool {
        guard !rows.isEmpty else { return false }
        if isJob {
            return rows.allSatisfy {
                $0.status == ContainerStatusName.done.rawValue || $0.status == ContainerStatusName.failed.rawValue
            }
        }
        return rows.allSatisfy { $0.status == ContainerStatusName.ready.rawValue }
    }
}
