import FloeSpec

/// One instance, as networking knows it.
public struct InstanceNetworkID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var service: ObjectName
    public var instance: Int

    public init(service: ObjectName, instance: Int) {
        self.service = service
        self.instance = instance
    }

    public static func < (lhs: InstanceNetworkID, rhs: InstanceNetworkID) -> Bool {
        (lhs.service.value, lhs.instance) < (rhs.service.value, rhs.instance)
    }

    public var description: String { "\(service) instance \(instance)" }
}

/// Where an attached instance lives.
public struct InstanceAttachment: Sendable, Hashable {
    /// The address its ports are reached at (its own address, or 127.0.0.1 on the host network).
    public var address: String
    /// The network namespace it runs in (`ip netns` name); nil on the host network.
    public var namespace: String?

    public init(address: String, namespace: String?) {
        self.address = address
        self.namespace = namespace
    }
}

/// What one service publishes to the other instances: its DNS name, the ports of its TCP/HTTP
/// endpoints and the addresses of its READY instances.
public struct ServiceRoute: Sendable, Hashable {
    public var service: ObjectName
    /// The endpoints' ports (each instance listens on the same ports).
    public var ports: [Int]
    /// Addresses of the READY instances, in instance order.
    public var readyAddresses: [String]

    public init(service: ObjectName, ports: [Int], readyAddresses: [String]) {
        self.service = service
        self.ports = ports
        self.readyAddresses = readyAddresses
    }
}

/// How instances are connected: each in its own network namespace (``NamespaceNetwork``), or all
/// on the host's network (``HostNetwork``).
///
/// Calls for one instance are made in order by the caller (attach, then detach); the
/// implementation keeps its own bookkeeping safe for concurrent calls.
public protocol InstanceNetwork: Sendable {
    /// True when instances get their own namespace and address (so they may share ports).
    var isolatesInstances: Bool { get }

    /// At floed's start: removes everything a previous floed with the same bridge left (namespaces,
    /// veths, bridge and its addresses, firewall table), then sets the network up afresh.
    func prepare() async throws(NetworkError)

    /// As ``prepare()``, keeping the networks of the instances `keeping` (adopted from a previous
    /// floed: their processes still run in them) when they are still there; returns the ones kept.
    func prepare(keeping: Set<InstanceNetworkID>) async throws(NetworkError) -> [InstanceNetworkID: InstanceAttachment]

    /// Gives an instance its network (idempotent: a second call returns the same attachment).
    func attach(_ id: InstanceNetworkID) async throws(NetworkError) -> InstanceAttachment

    /// Removes an instance's network; nothing of it is left afterwards. Unknown ids are ignored.
    func detach(_ id: InstanceNetworkID) async

    /// Publishes the services: DNS names and load-balanced service addresses follow `routes`
    /// (a service missing from it gets neither).
    func publish(_ routes: [ServiceRoute]) async throws(NetworkError)

    /// At floed's graceful stop: when no instance is attached any more, removes the bridge, the
    /// firewall table and the DNS listener; otherwise leaves everything for the running instances.
    func shutdown() async
}

/// The host network: instances share it and are reached at 127.0.0.1; nothing to set up.
public struct HostNetwork: InstanceNetwork {
    public init() {}
    public var isolatesInstances: Bool { false }
    public func prepare() async throws(NetworkError) {}
    public func attach(_ id: InstanceNetworkID) async throws(NetworkError) -> InstanceAttachment {
        InstanceAttachment(address: "127.0.0.1", namespace: nil)
    }
    public func detach(_ id: InstanceNetworkID) async {}
    public func publish(_ routes: [ServiceRoute]) async throws(NetworkError) {}
    public func shutdown() async {}
}

extension InstanceNetwork {
    /// Networks without per-instance state keep nothing: the same as ``prepare()``.
    public func prepare(keeping: Set<InstanceNetworkID>) async throws(NetworkError) -> [InstanceNetworkID:
        InstanceAttachment]
    {
        try await prepare()
        return [:]
    }
}
