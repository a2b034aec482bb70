import FloeCore
import FloeSpec
import Synchronization

/// The world as the loop left it after one change, immutable: what every query, wait, ingress
/// request and function batch reads, without a hop onto the loop's actor. What queries derive from it
/// (instances by object, READY backends, the summary) is built once, when first asked for.
final class WorldSnapshot: Sendable {
    /// Bumped by every change the loop publishes.
    let generation: Int
    let world: World
    let stage: StageView
    /// Each instance's address, for instances with their own network.
    let addresses: [InstanceKey: String]
    /// The stored secrets (the control API lists them without values).
    let secrets: [ObjectName: StoredSecret]

    private struct Derived {
        var instances: [ObjectName: [InstanceState]]?
        var backends: ReadyBackendIndex?
        var summary: String?
    }

    private let derived = Mutex(Derived())

    init(
        generation: Int, world: World, stage: StageView, addresses: [InstanceKey: String],
        secrets: [ObjectName: StoredSecret]
    ) {
        self.generation = generation
        self.world = world
        self.stage = stage
        self.addresses = addresses
        self.secrets = secrets
    }

    /// What the stage asks for.
    var desired: DesiredState { stage.desired }

    /// Each object's instances, in instance order.
    var instancesByObject: [ObjectName: [InstanceState]] {
        if let built = derived.withLock({ $0.instances }) { return built }
        var instances: [ObjectName: [InstanceState]] = [:]
        for instance in world.instances.values { instances[instance.key.object, default: []].append(instance) }
        for name in instances.keys { instances[name]!.sort { $0.key.id < $1.key.id } }
        derived.withLock { $0.instances = instances }
        return instances
    }

    /// One object's instances, in instance order.
    func instances(of name: ObjectName) -> [InstanceState] {
        instancesByObject[name] ?? []
    }

    /// The READY backends of every service.
    var backends: ReadyBackendIndex {
        if let built = derived.withLock({ $0.backends }) { return built }
        let index = ReadyBackendIndex(instances: instancesByObject, addresses: addresses)
        derived.withLock { $0.backends = index }
        return index
    }

    /// The address an instance's ports are reached at: its own address when it runs in a network
    /// namespace; on the host network, 127.0.0.1.
    func host(of key: InstanceKey) -> String {
        addresses[key] ?? "127.0.0.1"
    }

    /// A value derived once per snapshot (the summary line).
    func summary(_ make: () -> String) -> String {
        if let built = derived.withLock({ $0.summary }) { return built }
        let text = make()
        derived.withLock { $0.summary = text }
        return text
    }
}
