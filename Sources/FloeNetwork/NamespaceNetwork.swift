import FloeSpec
import Foundation
import Logging

/// Instances in their own network namespaces, on a Linux bridge, set up with iproute2 and nftables.
///
/// - The bridge (`floe0` by default) holds the range's first address (the gateway) and one /32
///   address per service (its virtual address).
/// - Each instance gets a namespace `<bridge>-<service>-<id>` with loopback up, a veth pair
///   (`eth0` inside, `<bridge>v<slot>` on the bridge), an address of the range and a default route
///   through the gateway; `/etc/netns/<namespace>/resolv.conf` names the gateway as its resolver
///   (`ip netns exec` mounts it over `/etc/resolv.conf`).
/// - One nftables table (`inet <bridge>`, see ``NFTRuleset``) masquerades outbound traffic and
///   balances service addresses over READY instances.
/// - A ``DNSServer`` on the gateway answers the services' names.
///
/// Everything it creates is named after the bridge, so ``prepare()`` can find and remove what a
/// previous floed (killed, crashed) left, without touching anything else.
public actor NamespaceNetwork: InstanceNetwork {
    public nonisolated let names: NetworkNames
    public nonisolated let plan: AddressPlan
    let ip: SystemCommand
    let nft: SystemCommand
    let logger: Logger
    /// Where per-namespace files go (`/etc/netns`, which `ip netns exec` reads).
    let netnsDirectory: String
    /// The port the resolver listens on (53; tests may use another).
    let dnsPort: Int

    var attached: [InstanceNetworkID: Slot] = [:]
    var serviceSlots: [ObjectName: UInt32] = [:]
    var bridgeServiceAddresses: Set<IPv4Address> = []
    var lastRuleset: NFTRuleset?
    var dns: DNSServer?

    /// One attached instance.
    struct Slot: Sendable, Hashable {
        var slot: UInt32
        var namespace: String
        var veth: String
        var address: IPv4Address
    }

    public nonisolated var isolatesInstances: Bool { true }

    /// - Parameters:
    ///   - range: the addresses instances and services get (must not clash with the host's routes).
    ///   - bridge: the bridge's name; every object floe makes is named after it.
    public init(
        range: IPv4Range, bridge: String = "floe0", tools: NetworkTools, logger: Logger,
        netnsDirectory: String = "/etc/netns", dnsPort: Int = 53
    ) throws(NetworkError) {
        self.plan = try AddressPlan(range: range)
        self.names = NetworkNames(bridge: bridge)
        self.ip = SystemCommand(path: tools.ip)
        self.nft = SystemCommand(path: tools.nft)
        self.logger = logger
        self.netnsDirectory = netnsDirectory
        self.dnsPort = dnsPort
    }

    /// The gateway address instances route through and send DNS queries to.
    public nonisolated var gateway: IPv4Address { plan.gateway }

    // MARK: Start and stop

    public func prepare() async throws(NetworkError) {
        _ = try await prepare(keeping: [])
    }

    /// Removes what a previous floed left but the namespaces (and their veths) of `keeping` that are
    /// still there, sets the bridge, table and resolver up, and takes the kept namespaces back as
    /// attached (their processes keep their addresses and connections).
    public func prepare(keeping: Set<InstanceNetworkID>) async throws(NetworkError) -> [InstanceNetworkID:
        InstanceAttachment]
    {
        let kept = await findAttached(keeping)
        await removeLeftovers(except: Set(kept.values))
        attached = kept
        let routes = await ip.run(["-o", "-4", "route", "show", "table", "all"])
        if routes.succeeded,
            let route = HostRoutes.firstOverlap(in: routes.output, with: plan.range, ignoringDevice: names.bridge)
        {
            throw .rangeOverlapsRoute(range: plan.range.description, route: route)
        }
        try enableForwarding()
        if kept.isEmpty {
            try await ip.check(
                ["-batch", "-"],
                input: """
                    link add \(names.bridge) type bridge
                    addr add \(plan.gateway)/\(plan.range.prefixLength) dev \(names.bridge)
                    link set \(names.bridge) up

                    """)
        }
        try await nft.check(
            ["-f", "-"], input: NFTRuleset(bridge: names.bridge, range: plan.range, services: []).script)
        do {
            dns = try await DNSServer.start(host: plan.gateway.description, port: dnsPort)
        } catch {
            throw .commandFailed(command: "listen on \(plan.gateway):\(dnsPort)/udp for DNS", output: "\(error)")
        }
        let ready = "instance network ready: bridge \(names.bridge) \(plan.gateway)/\(plan.range.prefixLength), "
        logger.info("\(ready)DNS on \(plan.gateway):\(dnsPort), \(kept.count) instance networks kept")
        return kept.mapValues { InstanceAttachment(address: $0.address.description, namespace: $0.namespace) }
    }

    /// The namespaces of `ids` that are still there with their veth on the bridge: each one's slot is
    /// read from its host-side veth (`<bridge>v<slot>`, found by the index `eth0@ifN` points at).
    func findAttached(_ ids: Set<InstanceNetworkID>) async -> [InstanceNetworkID: Slot] {
        guard !ids.isEmpty, await ip.run(["link", "show", names.bridge]).succeeded else { return [:] }
        let links = await ip.run(["-o", "link", "show"])
        var byIndex: [String: String] = [:]
        for line in links.output.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count > 1 else { continue }
            let name = fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first.map(String.init)
            if let name { byIndex[fields[0].trimmingCharacters(in: .whitespaces)] = name }
        }
        var kept: [InstanceNetworkID: Slot] = [:]
        for id in ids {
            let namespace = names.namespace(id)
            let inside = await ip.run(["-n", namespace, "-o", "link", "show", "eth0"])
            guard inside.succeeded,
                let peer = inside.output.split(separator: "@if").dropFirst().first?
                    .prefix(while: \.isNumber),
                let veth = byIndex[String(peer)], names.isOwnVeth(veth),
                let number = UInt32(veth.dropFirst(names.bridge.count + 1), radix: 16), number < plan.instanceSlots
            else { continue }
            kept[id] = Slot(slot: number, namespace: namespace, veth: veth, address: plan.instanceAddress(slot: number))
        }
        return kept
    }

    /// Removes every namespace, veth, bridge, table and `/etc/netns` directory of this bridge but those
    /// of `keeping` (and the bridge when something is kept).
    func removeLeftovers(except keeping: Set<Slot> = []) async {
        var removed: [String] = []
        let keptNamespaces = Set(keeping.map(\.namespace))
        let keptVeths = Set(keeping.map(\.veth))
        let namespaces = await ip.run(["netns", "list"])
        for line in namespaces.output.split(separator: "\n") {
            guard let name = line.split(separator: " ").first.map(String.init), names.isOwnNamespace(name),
                !keptNamespaces.contains(name)
            else {
                continue
            }
            _ = await ip.run(["netns", "delete", name])
            removed.append("namespace \(name)")
        }
        let links = await ip.run(["-o", "link", "show", "type", "veth"])
        for name in Self.linkNames(links.output) where names.isOwnVeth(name) && !keptVeths.contains(name) {
            _ = await ip.run(["link", "delete", name])
            removed.append("veth \(name)")
        }
        if keeping.isEmpty, await ip.run(["link", "show", names.bridge]).succeeded {
            _ = await ip.run(["link", "delete", names.bridge])
            removed.append("bridge \(names.bridge)")
        }
        if await nft.run(["list", "table", "inet", names.bridge]).succeeded {
            removed.append("nftables table inet \(names.bridge)")
        }
        _ = await nft.run(["-f", "-"], input: NFTRuleset.removalScript(bridge: names.bridge))
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: netnsDirectory)) ?? []
        for entry in entries where names.isOwnNamespace(entry) && !keptNamespaces.contains(entry) {
            try? FileManager.default.removeItem(atPath: "\(netnsDirectory)/\(entry)")
        }
        attached = [:]
        bridgeServiceAddresses = []
        lastRuleset = nil
        if !removed.isEmpty {
            logger.notice("removed instance networking left by a previous floed: \(removed.joined(separator: ", "))")
        }
    }

    /// Interface names from `ip -o link show` lines (`12: floe0v3@if11: <...>`).
    static func linkNames(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let name = fields[1].trimmingCharacters(in: .whitespaces)
            return String(name.split(separator: "@").first ?? Substring(name))
        }
    }

    func enableForwarding() throws(NetworkError) {
        let path = "/proc/sys/net/ipv4/ip_forward"
        let current = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard current != "1" else { return }
        do {
            try "1\n".write(toFile: path, atomically: false, encoding: .utf8)
            logger.notice("enabled IPv4 forwarding (net.ipv4.ip_forward=1) for instances' outbound traffic")
        } catch {
            throw .forwardingDisabled("\(error.localizedDescription)")
        }
    }

    public func shutdown() async {
        guard attached.isEmpty else {
            logger.info("instance network kept for \(attached.count) running instances")
            return
        }
        await dns?.close()
        dns = nil
        _ = await ip.run(["link", "delete", names.bridge])
        _ = await nft.run(["-f", "-"], input: NFTRuleset.removalScript(bridge: names.bridge))
        bridgeServiceAddresses = []
        lastRuleset = nil
        logger.info("instance network removed: bridge \(names.bridge), table inet \(names.bridge)")
    }
}
