import FloeCore
import FloeSpec

/// The READY instances of every service, by service and endpoint name, in instance order: built once
/// per snapshot, so that an ingress request or a function batch costs a dictionary look-up, not a
/// walk over every instance.
struct ReadyBackendIndex: Sendable {
    private var backends: [ObjectName: [String: [Backend]]] = [:]

    init(instances: [ObjectName: [InstanceState]], addresses: [InstanceKey: String]) {
        for (name, list) in instances {
            var byEndpoint: [String: [Backend]] = [:]
            for instance in list where !instance.isJob && instance.isReady {
                let host = addresses[instance.key] ?? "127.0.0.1"
                for endpoint in instance.spec.endpoints {
                    guard let port = endpoint.port ?? endpoint.portRange?.lowerBound else { continue }
                    byEndpoint[endpoint.name, default: []].append(Backend(key: instance.key, host: host, port: port))
                }
            }
            if !byEndpoint.isEmpty { backends[name] = byEndpoint }
        }
    }

    /// The READY instances of `service` serving `endpoint`, in instance order (empty when none).
    func backends(service: ObjectName, endpoint: String) -> [Backend] {
        backends[service]?[endpoint] ?? []
    }
}
