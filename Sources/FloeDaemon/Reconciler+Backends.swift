import FloeCore
import FloeSpec
import Foundation

/// A READY instance that traffic for one endpoint of a service can go to.
public struct Backend: Sendable, Hashable {
    /// The instance.
    public var key: InstanceKey
    /// The address the instance's ports are reached at (its namespace's address; 127.0.0.1 on the host network).
    public var host: String
    /// The endpoint's port inside the instance.
    public var port: Int

    public init(key: InstanceKey, host: String, port: Int) {
        self.key = key
        self.host = host
        self.port = port
    }
}

extension Reconciler {
    /// The address an instance's ports are reached at, for probes and for traffic: its own address
    /// when it runs in a network namespace; on the host network, 127.0.0.1.
    func instanceHost(_ key: InstanceKey) -> String {
        networking.slots[key]?.address ?? "127.0.0.1"
    }

    /// The READY instances of `service` that serve the endpoint named `endpoint`, in instance order.
    /// Empty when the service or endpoint is unknown or nothing is READY.
    public func readyBackends(service: ObjectName, endpoint: String) -> [Backend] {
        var backends: [Backend] = []
        for (key, instance) in world.instances where key.object == service && !instance.isJob && instance.isReady {
            guard let spec = instance.spec.endpoints.first(where: { $0.name == endpoint }),
                let port = spec.port ?? spec.portRange?.lowerBound
            else { continue }
            backends.append(Backend(key: key, host: instanceHost(key), port: port))
        }
        return backends.sorted { $0.key < $1.key }
    }

    /// Waits up to `timeout` for at least one READY backend of the endpoint; returns what is READY
    /// when it gives up (possibly nothing). This is traffic: it counts for the service's
    /// AUTO_SUSPEND_SECS, and a suspended service with AUTO_RESUME is resumed first.
    public func waitForBackends(service: ObjectName, endpoint: String, timeout: Duration) async -> [Backend] {
        noteTraffic(service)
        if world.isSuspended(service: service),
            registry.desiredState(complete: stageComplete).services[service]?.header.autoResume == true
        {
            resumeIfSuspended(service, why: "resumed by traffic (autoResume)")
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let backends = readyBackends(service: service, endpoint: endpoint)
            let left = deadline - ContinuousClock.now
            if !backends.isEmpty || left <= .zero { return backends }
            await waitForChange(after: generation, timeout: left)
        }
    }
}
