import FloeAPI
import FloeCore
import FloeRuntime
import FloeSpec
import FloeSystemd
import Foundation

/// Why a query could not be answered.
public enum QueryError: Error, Sendable, CustomStringConvertible {
    case unknownObject(String)
    case badName(String)
    case noSuchInstance(String, Int)
    case noSuchContainer(String, String)

    public var description: String {
        switch self {
        case .unknownObject(let name):
            "service or job '\(name)' does not exist; `floectl services` and `floectl jobs` list what does"
        case .badName(let name): "'\(name)' is not a valid name (letters, digits, _ and $; starting with a letter or _)"
        case .noSuchInstance(let name, let id): "\(name) has no instance \(id); `floectl instances \(name)` lists them"
        case .noSuchContainer(let name, let c):
            "\(name) has no container '\(c)'; `floectl containers \(name)` lists them"
        }
    }
}

extension QueryView {
    /// Adds one object's instances (looked up, possibly none).
    mutating func add(_ found: [InstanceState], of name: ObjectName) {
        looked.insert(name)
        if !found.isEmpty { instances[name] = found }
    }
}

/// What the status queries read, built once per change of the world instead of once per row.
struct QueryView: Sendable {
    var generation: Int
    var desired: DesiredState
    /// Each object's instances by id: every object's when `allInstances`, otherwise only those of the
    /// objects asked about since this generation began (``Reconciler/view(of:)``).
    var instances: [ObjectName: [InstanceState]]
    var allInstances: Bool
    /// The objects whose instances were looked up (those without instances have no entry above).
    var looked: Set<ObjectName> = []
    var entries: [ObjectName: StageEntry]
}

extension Reconciler {
    /// The query view for the current generation, with every object's instances (rebuilt after
    /// every change).
    func view() -> QueryView {
        if let cached = queryView, cached.generation == generation, cached.allInstances { return cached }
        var instances: [ObjectName: [InstanceState]] = [:]
        for instance in world.instances.values { instances[instance.key.object, default: []].append(instance) }
        for name in instances.keys { instances[name]!.sort { $0.key.id < $1.key.id } }
        let built = QueryView(
            generation: generation, desired: desiredState(), instances: instances, allInstances: true,
            entries: stageEntries())
        queryView = built
        return built
    }

    /// The query view for the current generation with at least `name`'s instances: a query about one
    /// object costs a look at the instance keys, not a copy of every instance.
    func view(of name: ObjectName) -> QueryView {
        if var cached = queryView, cached.generation == generation {
            if cached.allInstances || cached.looked.contains(name) { return cached }
            // Only this object's entry is added: the view is not held elsewhere, so no copy is made.
            queryView = nil
            cached.add(instancesOf(name), of: name)
            queryView = cached
            return cached
        }
        var built = QueryView(
            generation: generation, desired: desiredState(), instances: [:], allInstances: false,
            entries: stageEntries())
        built.add(instancesOf(name), of: name)
        queryView = built
        return built
    }

    /// One object's instances by id (empty when it has none).
    private func instancesOf(_ name: ObjectName) -> [InstanceState] {
        world.instances.keys.filter { $0.object == name }.sorted().compactMap { world.instances[$0] }
    }

    /// Each object's stage entry, kept until the stage changes.
    func stageEntries() -> [ObjectName: StageEntry] {
        if let cached = stageCache.entries { return cached }
        var entries: [ObjectName: StageEntry] = [:]
        for entry in registry.entries.values {
            if let name = entry.lastGood?.name ?? entry.latest.name { entries[name] = entry }
        }
        stageCache.entries = entries
        return entries
    }

    func resolve(_ raw: String) throws(QueryError) -> ObjectName {
        guard let name = ObjectName(raw) else { throw .badName(raw) }
        let known =
            view(of: name).entries[name] != nil || world.jobRuns[name] != nil || view(of: name).instances[name] != nil
        guard known else { throw .unknownObject(raw) }
        return name
    }

    func isJob(_ name: ObjectName) -> Bool {
        if case .job = view(of: name).entries[name]?.lastGood?.object { return true }
        return world.jobRuns[name] != nil
    }

    func serviceStatus(_ name: ObjectName) -> String {
        let desired = view(of: name).desired
        let entry = view(of: name).entries[name]
        let removed = desired.services[name] == nil && desired.jobs[name] == nil
        if entry != nil && entry?.lastGood == nil { return "FAILED" }
        return StatusReport.service(
            name: name, minReady: desired.services[name]?.header.minReadyInstances, isJob: isJob(name),
            instances: (view(of: name).instances[name] ?? []), run: world.jobRuns[name], removed: removed,
            suspended: world.isSuspended(service: name))
    }

    /// `SYSTEM$GET_SERVICE_STATUS(name [, timeout])`: with a timeout, waits for a steady state.
    public func status(_ raw: String, timeout: Duration?) async throws(QueryError) -> [ContainerStatus] {
        let name = try resolve(raw)
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            let seen = generation
            let rows = StatusReport.rows(name: name, instances: (view(of: name).instances[name] ?? []))
            guard let deadline, ContinuousClock.now < deadline, !Task.isCancelled,
                !StatusReport.isSteady(rows, isJob: isJob(name))
            else {
                return rows
            }
            await waitForChange(after: seen, timeout: deadline - ContinuousClock.now)
        }
    }

    /// Waits until the object's status (SPCS service status or, for READY, all containers READY)
    /// reaches `target`, or the timeout passes. Returns the last status seen.
    public func wait(_ raw: String, for target: String, timeout: Duration) async throws(QueryError) -> (Bool, String) {
        let answer = try await wait(all: [raw], for: target, timeout: timeout)
        return (answer.reached, answer.objects.first?.status ?? "")
    }

    /// Waits until every object of `raws` has reached `target` (as ``wait(_:for:timeout:)``), or the
    /// timeout passes; one answer per name, in the order given. A name floed does not know fails at once.
    ///
    /// Cheap however many names are given: after each change only the names not yet seen at `target`
    /// are looked at, in order, up to the first that is not there yet. When all have been seen there,
    /// all are read once more: one that left the state meanwhile (a restarted container) is waited for
    /// again, within the same timeout. A cancelled wait answers with what it sees.
    public func wait(all raws: [String], for target: String, timeout: Duration) async throws(QueryError)
        -> WaitAnswer
    {
        var names: [ObjectName] = []
        for raw in raws { names.append(try resolve(raw)) }
        let deadline = ContinuousClock.now + timeout
        var next = 0  // names[..<next] have been seen at the target
        while true {
            let seen = generation
            while next < names.count, waitState(names[next], for: target).reached { next += 1 }
            let over = ContinuousClock.now >= deadline || Task.isCancelled
            if next == names.count || over {
                let objects = names.map { name in
                    let (reached, status) = waitState(name, for: target)
                    return WaitAnswer.Object(name: name.value, reached: reached, status: status)
                }
                guard let missed = objects.firstIndex(where: { !$0.reached }), !over else {
                    return WaitAnswer(reached: objects.allSatisfy(\.reached), objects: objects)
                }
                next = missed
                continue
            }
            await waitForChange(after: seen, timeout: deadline - ContinuousClock.now)
        }
    }

    /// Whether `name` is at `target` now, and its status.
    func waitState(_ name: ObjectName, for target: String) -> (reached: Bool, status: String) {
        let status = serviceStatus(name)
        switch target {
        case "READY":
            let rows = StatusReport.rows(name: name, instances: (view(of: name).instances[name] ?? []))
            return (status == "RUNNING" && !rows.isEmpty && rows.allSatisfy { $0.status == "READY" }, status)
        case "RUNNING": return (status == "RUNNING", status)
        default: return (status == target, status)
        }
    }

    func row(_ name: ObjectName) -> ServiceRow {
        let desired = view(of: name).desired
        let entry = view(of: name).entries[name]
        let instances = (view(of: name).instances[name] ?? [])
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

    /// SHOW SERVICES (or SHOW JOB SERVICES with `jobs`).
    public func services(jobs: Bool) -> [ServiceRow] {
        _ = view()  // every row reads it: build it once with every object's instances
        var names = Set(world.instances.keys.map(\.object)).union(world.jobRuns.keys)
        for entry in registry.entries.values {
            switch entry.lastGood?.object ?? entry.latest.object {
            case .service, .job: if let name = entry.latest.name { names.insert(name) }
            case nil:
                // A broken file that never loaded still shows, with its error.
                if let name = entry.latest.name, entry.lastGood == nil { names.insert(name) }
            default: break
            }
        }
        return names.sorted().map(row).filter { $0.isJob == jobs || (!jobs && $0.status == "FAILED" && !$0.isJob) }
    }

    /// DESCRIBE SERVICE.
    public func describe(_ raw: String) throws(QueryError) -> ServiceDescription {
        let name = try resolve(raw)
        let r = row(name)
        let entry = view(of: name).entries[name]
        let digest = (view(of: name).instances[name] ?? []).first?.digest ?? entry?.lastGood?.digest ?? ""
        let desired = view(of: name).desired
        return ServiceDescription(
            name: name.value, status: r.status, computePool: r.computePool, spec: entry?.lastGoodText ?? "",
            dnsName: name.dnsName, currentInstances: r.currentInstances, targetInstances: r.targetInstances,
            minReadyInstances: desired.services[name]?.header.minReadyInstances ?? r.targetInstances,
            minInstances: r.minInstances, maxInstances: r.maxInstances,
            autoResume: desired.services[name]?.header.autoResume ?? false, createdOn: r.createdOn,
            updatedOn: r.updatedOn, resumedOn: world.services[name]?.resumedAt.map(Timestamp.rfc3339),
            suspendedOn: world.services[name]?.suspendedAt.map(Timestamp.rfc3339), isJob: r.isJob, specDigest: digest,
            isUpgrading: (view(of: name).instances[name] ?? []).contains {
                $0.digest != (desired.services[name]?.digest ?? $0.digest)
            },
            file: entry.map { "\(settings.stageDirectory)/\($0.fileName)" } ?? "",
            diagnostics: entry?.latest.diagnostics.map(\.description) ?? [],
            message: world.upgradeBlocked[name])
    }

    /// SHOW SERVICE CONTAINERS IN SERVICE.
    public func containers(_ raw: String) throws(QueryError) -> [ContainerRow] {
        let name = try resolve(raw)
        let serviceStatus = serviceStatus(name)
        var rows: [ContainerRow] = []
        for instance in (view(of: name).instances[name] ?? []) {
            for (index, c) in instance.containers.enumerated() {
                let (status, message) = StatusReport.container(c, of: instance)
                rows.append(
                    ContainerRow(
                        serviceName: name.value, serviceStatus: serviceStatus, instanceId: String(instance.key.id),
                        instanceStatus: StatusReport.instance(instance), containerName: c.name, status: status,
                        message: message, imageName: instance.spec.containers[index].image,
                        imageDigest: String(instance.digest.prefix(64)), restartCount: c.restartCount,
                        startTime: c.startedAt.map(Timestamp.rfc3339), lastExitCode: c.lastExit.map { Int($0.code) },
                        lastRestartTime: c.lastRestartAt.map(Timestamp.rfc3339)))
            }
        }
        return rows
    }

    /// SHOW SERVICE INSTANCES IN SERVICE.
    public func instances(_ raw: String) throws(QueryError) -> [InstanceRow] {
        let name = try resolve(raw)
        let serviceStatus = serviceStatus(name)
        return (view(of: name).instances[name] ?? []).map { instance in
            InstanceRow(
                serviceName: name.value, serviceStatus: serviceStatus, instanceId: String(instance.key.id),
                status: StatusReport.instance(instance), specDigest: instance.digest,
                creationTime: Timestamp.rfc3339(instance.createdAt),
                startTime: instance.containers.compactMap(\.startedAt).min().map(Timestamp.rfc3339),
                ipAddress: instanceHost(instance.key), node: instance.node?.description)
        }
    }

    /// SHOW COMPUTE POOLS.
    public func pools() -> [PoolRow] {
        let desired = view().desired
        var rows: [PoolRow] = []
        for (name, spec) in desired.pools.sorted(by: { $0.key < $1.key }) {
            let status = StatusReport.pool(name, spec: spec, world: world)
            let entry = view().entries[name]
            rows.append(
                PoolRow(
                    name: name.value, state: status.state.rawValue, minNodes: spec.minNodes, maxNodes: spec.maxNodes,
                    instanceFamily: spec.instanceFamily.name, numServices: status.numServices,
                    numJobs: status.numJobs, activeNodes: status.activeNodes, idleNodes: status.idleNodes,
                    autoSuspendSecs: spec.autoSuspendSecs, autoResume: spec.autoResume,
                    createdOn: entry.map { Timestamp.rfc3339($0.createdOn) } ?? "",
                    fileError: entry?.errors.first.map(\.description)))
        }
        return rows
    }

    /// `floectl events [NAME]`.
    public func eventList(object raw: String?, limit: Int) throws(QueryError) -> [EventRecord] {
        guard let raw else { return events.list(object: nil, limit: limit) }
        guard let name = ObjectName(raw) else { throw .badName(raw) }
        return events.list(object: name.value, limit: limit)
    }

    /// Where a container's log is (and the previous run's), after checking the names.
    public func logPath(_ raw: String, instance: Int?, container: String?, previous: Bool) throws(QueryError) -> String
    {
        let name = try resolve(raw)
        let instances = (view(of: name).instances[name] ?? [])
        let id = instance ?? instances.first?.key.id ?? 0
        guard let chosen = instances.first(where: { $0.key.id == id }) else { throw .noSuchInstance(name.value, id) }
        let containerName = container ?? chosen.containers.first?.name ?? ""
        guard chosen.containers.contains(where: { $0.name == containerName }) else {
            throw .noSuchContainer(name.value, containerName)
        }
        let path = settings.logFile(object: name, instance: id, container: containerName)
        return previous ? LogFiles.previousPath(of: path) : path
    }

    /// A one-line summary for `floectl` and systemd's STATUS= (``StatusLine``).
    public func summary() -> String {
        // Cached per generation: systemd's STATUS= asks after changes, and rows are not free.
        if let cached = summaryCache, cached.generation == generation { return cached.text }
        let view = view()
        let text = StatusLine.make(
            serviceStates: view.desired.services.keys.map(serviceStatus),
            runningJobs: view.desired.jobs.keys.filter { world.jobRuns[$0]?.result == nil }.count,
            filesWithErrors: registry.entries.values.filter { $0.latest.hasErrors }.count)
        summaryCache = (generation, text)
        return text
    }
}
