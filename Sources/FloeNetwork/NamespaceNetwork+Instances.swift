import FloeSpec
import Foundation

extension NamespaceNetwork {
    public func attach(_ id: InstanceNetworkID) async throws(NetworkError) -> InstanceAttachment {
        if let slot = attached[id] {
            return InstanceAttachment(address: slot.address.description, namespace: slot.namespace)
        }
        let used = Set(attached.values.map(\.slot))
        guard let number = (0..<plan.instanceSlots).first(where: { !used.contains($0) }) else {
            throw .addressesExhausted(plan.range.description)
        }
        let slot = Slot(
            slot: number, namespace: names.namespace(id), veth: names.hostVeth(slot: number),
            address: plan.instanceAddress(slot: number))
        // Reserved before the first await, so concurrent attaches take other slots.
        attached[id] = slot
        do throws(NetworkError) {
            try writeResolver(slot.namespace)
            try await ip.check(
                ["-batch", "-"],
                input: """
                    netns add \(slot.namespace)
                    link add \(slot.veth) type veth peer name eth0 netns \(slot.namespace)
                    link set \(slot.veth) master \(names.bridge)
                    link set \(slot.veth) up

                    """)
            try await ip.check(
                ["-n", slot.namespace, "-batch", "-"],
                input: """
                    link set lo up
                    addr add \(slot.address)/\(plan.range.prefixLength) dev eth0
                    link set eth0 up
                    route add default via \(plan.gateway)

                    """)
        } catch {
            await remove(slot)
            attached[id] = nil
            throw error
        }
        return InstanceAttachment(address: slot.address.description, namespace: slot.namespace)
    }

    public func detach(_ id: InstanceNetworkID) async {
        guard let slot = attached.removeValue(forKey: id) else { return }
        await remove(slot)
    }

    /// Deletes the host-side veth explicitly (deleting a namespace removes its veths only
    /// asynchronously), then the namespace and its `/etc/netns` directory.
    func remove(_ slot: Slot) async {
        _ = await ip.run(["link", "delete", slot.veth])
        _ = await ip.run(["netns", "delete", slot.namespace])
        try? FileManager.default.removeItem(atPath: "\(netnsDirectory)/\(slot.namespace)")
    }

    /// `/etc/netns/<namespace>/resolv.conf`: the gateway is the instance's resolver.
    func writeResolver(_ namespace: String) throws(NetworkError) {
        let directory = "\(netnsDirectory)/\(namespace)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "nameserver \(plan.gateway)\n".write(
                toFile: "\(directory)/resolv.conf", atomically: true, encoding: .utf8)
        } catch {
            throw .commandFailed(command: "write \(directory)/resolv.conf", output: error.localizedDescription)
        }
    }

    /// The instances attached now (for tests and status).
    public var attachments: [InstanceNetworkID: InstanceAttachment] {
        attached.mapValues { InstanceAttachment(address: $0.address.description, namespace: $0.namespace) }
    }

    // MARK: Services

    public func publish(_ routes: [ServiceRoute]) async throws(NetworkError) {
        var wanted: [ObjectName: UInt32] = [:]
        for route in routes.sorted(by: { $0.service.value < $1.service.value }) {
            wanted[route.service] = serviceSlots[route.service]
        }
        var taken = Set(wanted.values)
        for route in routes where wanted[route.service] == nil {
            var slot = plan.preferredServiceSlot(NetworkNames.dnsName(route.service))
            var tries: UInt32 = 0
            while taken.contains(slot) && tries < plan.serviceSlots {
                slot = (slot + 1) % plan.serviceSlots
                tries += 1
            }
            guard !taken.contains(slot) else { throw .addressesExhausted(plan.range.description) }
            taken.insert(slot)
            wanted[route.service] = slot
        }
        serviceSlots = wanted
        var services: [NFTRuleset.VirtualService] = []
        var table = DNSTable()
        for route in routes {
            guard let slot = wanted[route.service] else { continue }
            let address = plan.serviceAddress(slot: slot)
            let name = NetworkNames.dnsName(route.service)
            table.services[name] = address
            table.instances[name] = route.readyAddresses.compactMap { IPv4Address($0) }
            services.append(
                NFTRuleset.VirtualService(address: address, ports: route.ports, backends: route.readyAddresses))
        }
        let addresses = Set(services.map(\.address))
        var batch = ""
        for address in addresses.subtracting(bridgeServiceAddresses).sorted() {
            batch += "addr replace \(address)/32 dev \(names.bridge)\n"
        }
        for address in bridgeServiceAddresses.subtracting(addresses).sorted() {
            batch += "addr del \(address)/32 dev \(names.bridge)\n"
        }
        if !batch.isEmpty {
            try await ip.check(["-force", "-batch", "-"], input: batch)
            bridgeServiceAddresses = addresses
        }
        let ruleset = NFTRuleset(bridge: names.bridge, range: plan.range, services: services)
        if ruleset != lastRuleset {
            try await nft.check(["-f", "-"], input: ruleset.script)
            lastRuleset = ruleset
        }
        dns?.update(table)
    }

    /// The service address of a published service.
    public func serviceAddress(_ service: ObjectName) -> IPv4Address? {
        serviceSlots[service].map { plan.serviceAddress(slot: $0) }
    }
}
