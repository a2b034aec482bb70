import FloeAPI
import FloeCore
import FloeIngress
import FloeSpec
import Foundation

extension ServiceQueries {
    /// The stage's public HTTP endpoints, the version of the stage they were read from, and whether the
    /// stage is read in full.
    func publicEndpoints() -> (generation: Int, stageVersion: Int, endpoints: [PublicEndpoint], complete: Bool) {
        let snapshot = self.snapshot
        return (snapshot.generation, snapshot.stage.version, snapshot.stage.publicEndpoints, snapshot.stage.complete)
    }

    /// Where the ingress sends one request: READY instances, after resuming a suspended service
    /// with autoResume (waiting up to `resumeTimeout`); otherwise why nothing can serve it.
    func ingressResolution(_ route: IngressRoute, resumeTimeout: Duration) async -> IngressResolution {
        let snapshot = self.snapshot
        guard let name = ObjectName(route.service), let service = snapshot.desired.services[name] else {
            return .unavailable("Service \(route.service) does not exist any more.")
        }
        let suspended = snapshot.world.isSuspended(service: name)
        if suspended && !service.header.autoResume {
            return .unavailable(
                "Service \(name) is SUSPENDED and its autoResume is false; resume it with 'floectl resume \(name)'.")
        }
        let recentlyResumed = snapshot.world.services[name]?.resumedAt.map {
            clock.now.timeIntervalSince($0) < resumeTimeout.seconds
        }
        let wait = suspended || recentlyResumed == true ? resumeTimeout : .zero
        let backends = await waitForBackends(service: name, endpoint: route.endpoint, timeout: wait)
        guard !backends.isEmpty else { return .unavailable(noReadyInstanceMessage(name, endpoint: route.endpoint)) }
        return .ready(backends.map { IngressBackend(host: $0.host, port: $0.port, label: $0.key.description) })
    }

    /// A short explanation for a 503: the service's status, the first reason an instance is not READY.
    func noReadyInstanceMessage(_ name: ObjectName, endpoint: String) -> String {
        let snapshot = self.snapshot
        let rows = StatusReport.rows(name: name, instances: snapshot.instances(of: name))
        var text =
            "No READY instance of \(name) serves endpoint '\(endpoint)' (service status \(snapshot.serviceStatus(name))"
        if let row = rows.first(where: { $0.status != ContainerStatusName.ready.rawValue }) {
            text += "; instance \(row.instanceId) container \(row.containerName): \(row.status), \(row.message)"
        }
        return text + "). Check 'floectl status \(name)' and 'floectl logs \(name)'."
    }
}
