import FloeAPI
import FloeCore
import FloeRuntime
import FloeSpec
import Foundation
import Synchronization

/// The query side: status views, waits, endpoints, logs and events, answered from the latest
/// ``WorldSnapshot`` without a hop onto the loop's actor. What changes the world (suspend, resume,
/// traffic, secrets) goes to the loop as a command.
public struct ServiceQueries: Sendable {
    let loop: ReconcileLoop
    let settings: DaemonSettings
    let clock: any FloeClock
    /// When each service's traffic was last handed to the loop (at most once a second each).
    let trafficNotes: TrafficNotes
    /// Secret writes and the commands that tell the loop of them, in one order.
    let secretWrites: SecretWrites

    /// The query side of `loop`.
    public init(loop: ReconcileLoop, settings: DaemonSettings, clock: any FloeClock = SystemClock()) {
        self.loop = loop
        self.settings = settings
        self.clock = clock
        self.trafficNotes = TrafficNotes()
        self.secretWrites = SecretWrites()
    }

    var snapshot: WorldSnapshot { loop.broadcaster.current }

    /// Waits until a snapshot newer than generation `seen` is published, or `timeout` passes.
    func waitForChange(after seen: Int, timeout: Duration) async {
        await loop.broadcaster.waitForChange(after: seen, timeout: timeout)
    }

    /// `SYSTEM$GET_SERVICE_STATUS(name [, timeout])`: with a timeout, waits for a steady state.
    public func status(_ raw: String, timeout: Duration?) async throws(QueryError) -> [ContainerStatus] {
        let name = try snapshot.resolve(raw)
        let deadline = timeout.map { clock.now.addingTimeInterval($0.seconds) }
        while true {
            let snapshot = self.snapshot
            let rows = StatusReport.rows(name: name, instances: snapshot.instances(of: name))
            guard let deadline, clock.now < deadline, !Task.isCancelled,
                !StatusReport.isSteady(rows, isJob: snapshot.isJob(name))
            else {
                return rows
            }
            await loop.broadcaster.waitForChange(after: snapshot.generation, until: deadline)
        }
    }

    /// SHOW SERVICES (or SHOW JOB SERVICES with `jobs`).
    public func services(jobs: Bool) -> [ServiceRow] {
        let snapshot = self.snapshot
        var names = Set(snapshot.world.instances.keys.map(\.object)).union(snapshot.world.jobRuns.keys)
        for entry in snapshot.stage.files.values {
            switch entry.lastGood?.object ?? entry.latest.object {
            case .service, .job: if let name = entry.latest.name { names.insert(name) }
            case nil:
                // A broken file that never loaded still shows, with its error.
                if let name = entry.latest.name, entry.lastGood == nil { names.insert(name) }
            default: break
            }
        }
        return names.sorted().map(snapshot.row).filter {
            $0.isJob == jobs || (!jobs && $0.status == ServiceStatusName.failed.rawValue && !$0.isJob)
        }
    }

    /// DESCRIBE SERVICE.
    public func describe(_ raw: String) throws(QueryError) -> ServiceDescription {
        let snapshot = self.snapshot
        let name = try snapshot.resolve(raw)
        let r = snapshot.row(name)
        let entry = snapshot.stage.entry(named: name)
        let instances = snapshot.instances(of: name)
        let digest = instances.first?.digest ?? entry?.lastGood?.digest ?? ""
        let desired = snapshot.desired
        return ServiceDescription(
            name: name.value, status: r.status, computePool: r.computePool, spec: entry?.lastGoodText ?? "",
            dnsName: name.dnsName, currentInstances: r.currentInstances, targetInstances: r.targetInstances,
            minReadyInstances: desired.services[name]?.header.minReadyInstances ?? r.targetInstances,
            minInstances: r.minInstances, maxInstances: r.maxInstances,
            autoResume: desired.services[name]?.header.autoResume ?? false, createdOn: r.createdOn,
            updatedOn: r.updatedOn, resumedOn: snapshot.world.services[name]?.resumedAt.map(Timestamp.rfc3339),
            suspendedOn: snapshot.world.services[name]?.suspendedAt.map(Timestamp.rfc3339), isJob: r.isJob,
            specDigest: digest,
            isUpgrading: instances.contains { $0.digest != (desired.services[name]?.digest ?? $0.digest) },
            file: entry.map { "\(settings.stageDirectory)/\($0.fileName)" } ?? "",
            diagnostics: entry?.latest.diagnostics.map(\.description) ?? [],
            message: snapshot.world.upgradeBlocked[name])
    }

    /// SHOW SERVICE CONTAINERS IN SERVICE.
    public func containers(_ raw: String) throws(QueryError) -> [ContainerRow] {
        let snapshot = self.snapshot
        let name = try snapshot.resolve(raw)
        let serviceStatus = snapshot.serviceStatus(name)
        var rows: [ContainerRow] = []
        for instance in snapshot.instances(of: name) {
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
        let snapshot = self.snapshot
        let name = try snapshot.resolve(raw)
        let serviceStatus = snapshot.serviceStatus(name)
        return snapshot.instances(of: name).map { instance in
            InstanceRow(
                serviceName: name.value, serviceStatus: serviceStatus, instanceId: String(instance.key.id),
                status: StatusReport.instance(instance), specDigest: instance.digest,
                creationTime: Timestamp.rfc3339(instance.createdAt),
                startTime: instance.containers.compactMap(\.startedAt).min().map(Timestamp.rfc3339),
                ipAddress: snapshot.host(of: instance.key), node: instance.node?.description)
        }
    }

    /// SHOW COMPUTE POOLS.
    public func pools() -> [PoolRow] {
        let snapshot = self.snapshot
        var rows: [PoolRow] = []
        for (name, spec) in snapshot.desired.pools.sorted(by: { $0.key < $1.key }) {
            let status = StatusReport.pool(name, spec: spec, world: snapshot.world)
            let entry = snapshot.stage.entry(named: name)
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
        guard let raw else { return loop.events.list(object: nil, limit: limit) }
        guard let name = ObjectName(raw) else { throw .badName(raw) }
        return loop.events.list(object: name.value, limit: limit)
    }

    /// Where a container's log is (and the previous run's), after checking the names.
    public func logPath(_ raw: String, instance: Int?, container: String?, previous: Bool) throws(QueryError) -> String
    {
        let snapshot = self.snapshot
        let name = try snapshot.resolve(raw)
        let instances = snapshot.instances(of: name)
        let id = instance ?? instances.first?.key.id ?? 0
        guard let chosen = instances.first(where: { $0.key.id == id }) else { throw .noSuchInstance(name.value, id) }
        let containerName = container ?? chosen.containers.first?.name ?? ""
        guard chosen.container(named: containerName) != nil else {
            throw .noSuchContainer(name.value, containerName)
        }
        let path = settings.logFile(object: name, instance: id, container: containerName)
        return previous ? LogFiles.previousPath(of: path) : path
    }

    /// A one-line summary for `floectl` and systemd's STATUS= (``StatusLine``).
    public func summary() -> String {
        snapshot.summaryLine
    }

    /// The summary line and the generation it was read at (for ``waitForChange(after:timeout:)``).
    func statusLine() -> (line: String, generation: Int) {
        let snapshot = self.snapshot
        return (snapshot.summaryLine, snapshot.generation)
    }

    /// SHOW ENDPOINTS IN SERVICE, without the ingress URLs (the ingress adds them), and the service's name.
    public func endpoints(_ raw: String) throws(QueryError) -> (ObjectName, [EndpointSpec]) {
        let snapshot = self.snapshot
        let name = try snapshot.resolve(raw)
        if let service = snapshot.desired.services[name] { return (name, service.spec.endpoints) }
        if let job = snapshot.desired.jobs[name] { return (name, job.spec.endpoints) }
        return (name, snapshot.instances(of: name).first?.spec.endpoints ?? [])
    }
}

/// When each service's traffic was last handed to the loop, so that a busy ingress sends it at most
/// one note a second per service.
final class TrafficNotes: Sendable {
    private let last = Mutex<[ObjectName: Date]>([:])

    /// True when a note for `name` is due at `now` (and takes it).
    func due(_ name: ObjectName, now: Date) -> Bool {
        last.withLock { last in
            if let previous = last[name], now.timeIntervalSince(previous) < 1 { return false }
            last[name] = now
            return true
        }
    }
}
