import FloeCore
import FloeSpec
import Foundation

/// Values the planner tests build their desired state from.
enum Fixtures {
    /// The default image of test containers.
    static let image = "/tutorial_db/data_schema/repo/app:latest"

    /// An identifier (the tests only use valid ones).
    static func name(_ raw: String) -> ObjectName {
        guard let name = ObjectName(raw) else { preconditionFailure("test fixture uses an invalid name: \(raw)") }
        return name
    }

    /// A compute pool of one instance family. It never suspends unless `autoSuspendSecs` says so
    /// (the tests of other things advance the clock by hours and expect their pool's nodes to stay).
    static func pool(
        minNodes: Int = 1, maxNodes: Int? = nil, family: String = "CPU_X64_XS", autoResume: Bool = true,
        autoSuspendSecs: Int = 0, initiallySuspended: Bool = false
    ) -> ComputePoolSpec {
        guard let family = InstanceFamily.named(family) else { preconditionFailure("unknown family \(family)") }
        return ComputePoolSpec(
            minNodes: minNodes, maxNodes: maxNodes, instanceFamily: family, autoResume: autoResume,
            autoSuspendSecs: autoSuspendSecs, initiallySuspended: initiallySuspended)
    }

    /// One container that runs `/bin/app` (0.5 cpu / 0.5 GiB unless `milliCPU` says otherwise).
    static func container(
        _ name: String = "main", image: String = Fixtures.image, milliCPU: Int? = nil,
        readiness: Probe? = nil, liveness: Probe? = nil
    ) -> ContainerSpec {
        ContainerSpec(
            name: name, image: image, command: ["/bin/app"], readinessProbe: readiness, livenessProbe: liveness,
            resources: Resources(requests: ResourceAmounts(milliCPU: milliCPU)))
    }

    /// An HTTP probe with SPCS's readiness defaults.
    static func probe(port: Int, path: String = "/healthcheck", failureThreshold: Int = 3) -> Probe {
        Probe(port: port, path: path, periodSeconds: 5, failureThreshold: failureThreshold)
    }

    /// A service in pool `pool`.
    static func service(
        _ name: String, instances: Int = 1, minReady: Int? = nil, digest: String = "v1",
        containers: [ContainerSpec] = [container()], endpoints: [EndpointSpec] = [], pool: String = "POOL",
        upgradeDeadlineSeconds: Int = 600
    ) -> DesiredService {
        let header = ServiceHeader(
            computePool: Fixtures.name(pool), minInstances: instances, minReadyInstances: minReady,
            upgradeDeadlineSeconds: upgradeDeadlineSeconds)
        return DesiredService(
            name: Fixtures.name(name), header: header,
            spec: ServiceSpec(containers: containers, endpoints: endpoints), digest: digest, pool: Fixtures.name(pool))
    }

    /// A job in pool `pool`.
    static func job(
        _ name: String, replicas: Int = 1, retries: Int = 0, digest: String = "j1",
        containers: [ContainerSpec] = [container()], pool: String = "POOL"
    ) -> DesiredJob {
        let header = JobHeader(computePool: Fixtures.name(pool), replicas: replicas, retries: retries)
        return DesiredJob(
            name: Fixtures.name(name), header: header, spec: ServiceSpec(containers: containers), digest: digest,
            pool: Fixtures.name(pool))
    }

    /// A desired state with the given objects and pools (default: one XS pool `POOL` of 1..4 nodes).
    static func desired(
        services: [DesiredService] = [], jobs: [DesiredJob] = [],
        pools: [String: ComputePoolSpec] = ["POOL": pool(minNodes: 1, maxNodes: 4)], complete: Bool = true
    ) -> DesiredState {
        DesiredState(
            services: Dictionary(uniqueKeysWithValues: services.map { ($0.name, $0) }),
            jobs: Dictionary(uniqueKeysWithValues: jobs.map { ($0.name, $0) }),
            pools: Dictionary(uniqueKeysWithValues: pools.map { (Fixtures.name($0.key), $0.value) }),
            complete: complete)
    }
}
