import FloeCore
import FloeNetwork
import FloeSpec
import Foundation

/// What the reconciler knows of instance networking: which instances have (or are getting) a
/// network, the operations in flight, and what was last published.
struct NetworkBook {
    /// An instance's network: being attached (`address` nil) or attached.
    struct Slot {
        var token: Int
        var task: Task<Result<InstanceAttachment, NetworkError>, Never>
        var address: String?
    }

    var slots: [InstanceKey: Slot] = [:]
    /// The last attach or detach of each instance: the next one waits for it, so they happen in order.
    var tails: [InstanceKey: Task<Void, Never>] = [:]
    var nextToken = 0
    /// The routes last handed to the network, and the publication in flight.
    var published: [ServiceRoute]?
    var publishTail: Task<Void, Never>?
}

extension Reconciler {
    /// The instance's network, attached once (later calls share the first attach). Runs after any
    /// detach of the same instance still in flight.
    func attachNetwork(_ key: InstanceKey) -> Task<Result<InstanceAttachment, NetworkError>, Never> {
        if let slot = networking.slots[key] { return slot.task }
        networking.nextToken += 1
        let token = networking.nextToken
        let previous = networking.tails[key]
        let network = self.network
        let id = InstanceNetworkID(service: key.object, instance: key.id)
        let task = Task { [weak self] () -> Result<InstanceAttachment, NetworkError> in
            await previous?.value
            do throws(NetworkError) {
                let attachment = try await network.attach(id)
                await self?.networkAttached(key, token: token, attachment)
                return .success(attachment)
            } catch {
                await self?.networkAttachFailed(key, token: token, error)
                return .failure(error)
            }
        }
        networking.tails[key] = Task { _ = await task.value }
        networking.slots[key] = NetworkBook.Slot(token: token, task: task, address: nil)
        return task
    }

    func networkAttached(_ key: InstanceKey, token: Int, _ attachment: InstanceAttachment) {
        guard networking.slots[key]?.token == token else { return }
        networking.slots[key]?.address = attachment.address
        record(
            key.object, key.id, nil, "network",
            "network namespace \(attachment.namespace ?? "-"), address \(attachment.address)")
    }

    func networkAttachFailed(_ key: InstanceKey, token: Int, _ error: NetworkError) {
        guard networking.slots[key]?.token == token else { return }
        networking.slots[key] = nil
        record(key.object, key.id, nil, "network-failed", "\(error)", level: .error)
    }

    /// Removes an instance's network (after its attach, if that is still in flight).
    func releaseNetwork(_ key: InstanceKey) {
        guard networking.slots.removeValue(forKey: key) != nil else { return }
        let previous = networking.tails[key]
        let network = self.network
        let id = InstanceNetworkID(service: key.object, instance: key.id)
        networking.tails[key] = Task {
            await previous?.value
            await network.detach(id)
        }
    }

    /// After each reconcile: releases the networks of instances that are gone or finished (job
    /// replicas whose containers all ended), and publishes the services' names and READY addresses
    /// when they changed.
    func updateNetwork(desired: DesiredState) {
        guard network.isolatesInstances else { return }
        for key in networking.slots.keys {
            guard let instance = world.instances[key] else {
                releaseNetwork(key)
                continue
            }
            if instance.isJob && instance.isQuiet && (instance.succeeded || instance.failed) {
                releaseNetwork(key)
            }
        }
        let routes = serviceRoutes(desired: desired)
        guard routes != networking.published else { return }
        networking.published = routes
        let previous = networking.publishTail
        let network = self.network
        networking.publishTail = Task { [weak self] in
            await previous?.value
            do throws(NetworkError) {
                try await network.publish(routes)
            } catch {
                await self?.record(nil, nil, nil, "network-failed", "publishing services: \(error)", level: .error)
            }
        }
    }

    /// Every service (of the stage, or still running): its endpoints' ports and READY addresses.
    func serviceRoutes(desired: DesiredState) -> [ServiceRoute] {
        var specs: [ObjectName: ServiceSpec] = desired.services.mapValues(\.spec)
        var ready: [ObjectName: [(Int, String)]] = [:]
        for (key, instance) in world.instances where !instance.isJob {
            if specs[key.object] == nil { specs[key.object] = instance.spec }
            if instance.isReady, let address = networking.slots[key]?.address {
                ready[key.object, default: []].append((key.id, address))
            }
        }
        return specs.keys.sorted { $0.value < $1.value }.map { name in
            let spec = specs[name]
            var ports = Set<Int>()
            for endpoint in spec?.endpoints ?? [] {
                if let port = endpoint.port { ports.insert(port) }
                if let range = endpoint.portRange, range.count <= 64 { ports.formUnion(range) }
            }
            let addresses = (ready[name] ?? []).sorted { $0.0 < $1.0 }.map(\.1)
            return ServiceRoute(service: name, ports: ports.sorted(), readyAddresses: addresses)
        }
    }

    /// At start, after the instances a previous floed left were stopped: removes the networking
    /// it left and sets the network up.
    public func prepareNetwork() async throws(NetworkError) {
        try await network.prepare()
    }

    /// At floed's stop: waits for attaches, detaches and publications in flight, then lets the
    /// network remove itself when no instance uses it any more.
    public func shutdownNetwork() async {
        for tail in networking.tails.values { await tail.value }
        await networking.publishTail?.value
        await network.shutdown()
    }
}
