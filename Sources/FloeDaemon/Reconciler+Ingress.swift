import FloeAPI
import FloeCore
import FloeIngress
import FloeSpec
import Foundation

extension Reconciler {
    /// The stage's public HTTP endpoints (the service header's `ingressPort` goes to the first
    /// one of its service), with the generation they were read at and whether the stage is
    /// read in full.
    func publicEndpoints() -> (generation: Int, endpoints: [PublicEndpoint], complete: Bool) {
        // Asked after every change of the world: read the stage again only when it changed.
        if let cached = stageCache.publicEndpoints { return (generation, cached, stageComplete) }
        let desired = registry.desiredState(complete: stageComplete)
        var result: [PublicEndpoint] = []
        for name in desired.services.keys.sorted() {
            guard let service = desired.services[name] else { continue }
            var fixed = service.header.ingressPort
            for endpoint in service.spec.endpoints where endpoint.isPublic && endpoint.protocol == .http {
                guard endpoint.port != nil else { continue }
                result.append(PublicEndpoint(service: name, endpoint: endpoint.name, fixedPort: fixed))
                fixed = nil
            }
        }
        stageCache.publicEndpoints = result
        return (generation, result, stageComplete)
    }

    /// Where the ingress sends one request: READY instances, after resuming a suspended service
    /// with autoResume (waiting up to `resumeTimeout`); otherwise why nothing can serve it.
    func ingressResolution(_ route: IngressRoute, resumeTimeout: Duration) async -> IngressResolution {
        guard let name = ObjectName(route.service),
            let service = registry.desiredState(complete: stageComplete).services[name]
        else {
            return .unavailable("Service \(route.service) does not exist any more.")
        }
        let suspended = world.isSuspended(service: name)
        if suspended && !service.header.autoResume {
            return .unavailable(
                "Service \(name) is SUSPENDED and its autoResume is false; resume it with 'floectl resume \(name)'.")
        }
        let recentlyResumed = world.services[name]?.resumedAt.map {
            Date().timeIntervalSince($0) < Double(resumeTimeout.components.seconds)
        }
        let wait = suspended || recentlyResumed == true ? resumeTimeout : .zero
        let backends = await waitForBackends(service: name, endpoint: route.endpoint, timeout: wait)
        guard !backends.isEmpty else { return .unavailable(noReadyInstanceMessage(name, endpoint: route.endpoint)) }
        return .ready(backends.map { IngressBackend(host: $0.host, port: $0.port, label: $0.key.description) })
    }

    /// A short explanation for a 503: the service's status, the first reason an instance is not READY.
    func noReadyInstanceMessage(_ name: ObjectName, endpoint: String) -> String {
        let rows = StatusReport.rows(name: name, instances: view().instances[name] ?? [])
        var text = "No READY instance of \(name) serves endpoint '\(endpoint)' (service status \(serviceStatus(name))"
        if let row = rows.first(where: { $0.status != "READY" }) {
            text += "; instance \(row.instanceId) container \(row.containerName): \(row.status), \(row.message)"
        }
        return text + "). Check 'floectl status \(name)' and 'floectl logs \(name)'."
    }

    /// SHOW ENDPOINTS IN SERVICE, without the ingress URLs (the ingress adds them).
    public func endpoints(_ raw: String) throws(QueryError) -> [EndpointSpec] {
        let name = try resolve(raw)
        if let service = view().desired.services[name] { return service.spec.endpoints }
        if let job = view().desired.jobs[name] { return job.spec.endpoints }
        return view().instances[name]?.first?.spec.endpoints ?? []
    }
}
