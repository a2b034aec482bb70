import FloeCore
import FloeNetwork
import FloeSpec
import Synchronization

/// Hands the services' names, ports and READY addresses to the instance network (its DNS and service
/// addresses) whenever they change, one publication at a time, in order.
final class RoutePublisher: Sendable {
    private let network: any InstanceNetwork
    private let events: EventRecorder
    private let state = Mutex<(published: [ServiceRoute]?, tail: Task<Void, Never>?)>((nil, nil))

    init(network: any InstanceNetwork, events: EventRecorder) {
        self.network = network
        self.events = events
    }

    /// Publishes the routes of `snapshot` when they differ from the last ones.
    func update(_ snapshot: WorldSnapshot) {
        let routes = Self.routes(snapshot)
        let network = self.network
        let events = self.events
        state.withLock { state in
            guard routes != state.published else { return }
            state.published = routes
            let previous = state.tail
            state.tail = Task {
                await previous?.value
                do throws(NetworkError) {
                    try await network.publish(routes)
                } catch {
                    events.record(nil, nil, nil, "network-failed", "publishing services: \(error)", level: .error)
                }
            }
        }
    }

    /// Waits for the publication in flight.
    func finish() async {
        await state.withLock { $0.tail }?.value
    }

    /// Every service (of the stage, or still running): its endpoints' ports and READY addresses.
    static func routes(_ snapshot: WorldSnapshot) -> [ServiceRoute] {
        var specs: [ObjectName: ServiceSpec] = snapshot.desired.services.mapValues(\.spec)
        var ready: [ObjectName: [(Int, String)]] = [:]
        for (key, instance) in snapshot.world.instances where !instance.isJob {
            if specs[key.object] == nil { specs[key.object] = instance.spec }
            if instance.isReady, let address = snapshot.addresses[key] {
                ready[key.object, default: []].append((key.id, address))
            }
        }
        return specs.keys.sorted { $0.value < $1.value }.map { name in
            var ports = Set<Int>()
            for endpoint in specs[name]?.endpoints ?? [] {
                if let port = endpoint.port { ports.insert(port) }
                if let range = endpoint.portRange, range.count <= 64 { ports.formUnion(range) }
            }
            let addresses = (ready[name] ?? []).sorted { $0.0 < $1.0 }.map(\.1)
            return ServiceRoute(service: name, ports: ports.sorted(), readyAddresses: addresses)
        }
    }
}
