import FloeCore
import FloeNetwork
import Synchronization

/// Gives each instance its network (a namespace with its own address) before its first container
/// starts, shared by its containers, and removes it when the instance is released.
final class NetworkHook: InstanceHook {
    private let network: any InstanceNetwork
    private let events: EventRecorder
    private let attached = Mutex<[InstanceKey: InstanceAttachment]>([:])

    init(network: any InstanceNetwork, events: EventRecorder) {
        self.network = network
        self.events = events
    }

    func prestart(_ start: inout ContainerStart, instance: InstanceKey) async throws(HookFailure) {
        let attachment: InstanceAttachment
        if let existing = attached.withLock({ $0[instance] }) {
            attachment = existing
        } else {
            do throws(NetworkError) {
                attachment = try await network.attach(Self.id(instance))
            } catch {
                events.record(instance.object, instance.id, nil, "network-failed", "\(error)", level: .error)
                throw HookFailure("Encountered fatal error, retrying: \(error)")
            }
            attached.withLock { $0[instance] = attachment }
            events.record(
                instance.object, instance.id, nil, "network",
                "network namespace \(attachment.namespace ?? "-"), address \(attachment.address)")
        }
        start.launch.networkNamespace = attachment.namespace
        start.address = attachment.address
    }

    /// An adopted instance keeps the network the previous floed gave it (kept by the network's
    /// `prepare(keeping:)`): it is released like one attached here.
    func adopted(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async {
        guard let address = start.address else { return }
        attached.withLock {
            $0[instance] = InstanceAttachment(address: address, namespace: start.launch.networkNamespace)
        }
    }

    func released(_ instance: InstanceKey) async {
        guard attached.withLock({ $0.removeValue(forKey: instance) }) != nil else { return }
        await network.detach(Self.id(instance))
    }

    static func id(_ key: InstanceKey) -> InstanceNetworkID {
        InstanceNetworkID(service: key.object, instance: key.id)
    }
}
