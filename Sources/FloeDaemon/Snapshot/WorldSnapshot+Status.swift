import FloeAPI
import FloeCore
import FloeSpec
import FloeSystemd

extension WorldSnapshot {
    /// The service or job named `raw`, when the stage or the world knows it.
    func resolve(_ raw: String) throws(QueryError) -> ObjectName {
        guard let name = ObjectName(raw) else { throw .badName(raw) }
        let known = stage.entry(named: name) != nil || world.jobRuns[name] != nil || !instances(of: name).isEmpty
        guard known else { throw .unknownObject(raw) }
        return name
    }

    func isJob(_ name: ObjectName) -> Bool {
        if case .job = stage.entry(named: name)?.lastGood?.object { return true }
        return world.jobRuns[name] != nil
    }

    /// SPCS's status of a service or job (PENDING, RUNNING, DONE, FAILED, SUSPENDED, ...).
    func serviceStatus(_ name: ObjectName) -> String {
        let entry = stage.entry(named: name)
        let removed = desired.services[name] == nil && desired.jobs[name] == nil
        if entry != nil && entry?.lastGood == nil { return ServiceStatusName.failed.rawValue }
        return StatusReport.service(
            name: name, minReady: desired.services[name]?.header.minReadyInstances, isJob: isJob(name),
            instances: instances(of: name), run: world.jobRuns[name], removed: removed,
            suspended: world.isSuspended(service: name))
    }

    /// Whether `name` is at `target` now (for READY: the service RUNNING and every container READY),
    /// and its status.
    func waitState(_ name: ObjectName, for target: String) -> (reached: Bool, status: String) {
        let status = serviceStatus(name)
        switch target {
        case ContainerStatusName.ready.rawValue:
            let rows = StatusReport.rows(name: name, instances: instances(of: name))
            return (
                status == ServiceStatusName.running.rawValue && !rows.isEmpty
                    && rows.allSatisfy { $0.status == ContainerStatusName.ready.rawValue }, status
            )
        default: return (status == target, status)
        }
    }

    /// SHOW SERVICES' row of one object.
    func row(_ name: ObjectName) -> ServiceRow {
        let entry = stage.entry(named: name)
        let instances = instances(of: name)
        let service = desired.services[name]
        let job = desired.jobs[name]
        let target = service?.header.minInstances ?? job?.header.replicas ?? 0
        let firstError = entry?.errors.first.map { "\($0.file):\($0.line):\($0.column): \($0.message)" }
        return ServiceRow(
            name: name.value, status: serviceStatus(name),
            computePool: (service?.pool ?? job?.pool)?.value ?? "",
            isJob: isJob(name), currentInstances: instances.filter { !$0.terminating }.count,
            targetInstances: target, readyInstances: instances.filter(\.isReady).count,
            minInstances: service?.header.minInstances ?? target, maxInstances: service?.header.maxInstances ?? target,
            createdOn: entry.map { Timestamp.rfc3339($0.createdOn) } ?? "",
            updatedOn: entry.map { Timestamp.rfc3339($0.updatedOn) } ?? "", fileError: firstError)
    }

    /// The one-line summary for `floectl` and systemd's STATUS= (``StatusLine``).
    var summaryLine: String {
        summary {
            StatusLine.make(
                serviceStates: desired.services.keys.map(serviceStatus),
                runningJobs: desired.jobs.keys.filter { world.jobRuns[$0]?.result == nil }.count,
                filesWithErrors: stage.filesWithErrors)
        }
    }
}
