import Foundation
import Testing

@testable import FloeNetwork

@Suite struct RulesTests {
    @Test func rulesetBalancesReadyInstancesAndMasqueradesTheRange() throws {
        let ruleset = NFTRuleset(
            bridge: "floe0", range: IPv4Range("10.213.0.0/16")!,
            services: [
                .init(address: IPv4Address("10.213.200.9")!, ports: [8000], backends: ["10.213.0.2", "10.213.0.3"]),
                .init(address: IPv4Address("10.213.200.4")!, ports: [80, 81], backends: ["10.213.0.4"]),
                .init(address: IPv4Address("10.213.200.5")!, ports: [9000], backends: []),
            ])
        let script = ruleset.script
        #expect(script.hasPrefix("add table inet floe0\ndelete table inet floe0\ntable inet floe0 {\n"))
        #expect(
            script.contains(
                "ip daddr 10.213.200.9 tcp dport 8000 dnat ip to numgen inc mod 2 map { 0 : 10.213.0.2, 1 : 10.213.0.3 }"
            ))
        #expect(script.contains("ip daddr 10.213.200.4 tcp dport 80 dnat ip to 10.213.0.4\n"))
        #expect(script.contains("ip daddr 10.213.200.4 tcp dport 81 dnat ip to 10.213.0.4\n"))
        #expect(!script.contains("dport 9000"))
        #expect(script.contains("ip saddr 10.213.0.0/16 ip daddr != 10.213.0.0/16 masquerade"))
        #expect(script.contains("ip daddr { 10.213.200.4, 10.213.200.5, 10.213.200.9 } meta l4proto tcp reject"))
    }

    @Test(.enabled(if: canManageNetworks, "needs root and nftables to check a ruleset"))
    func nftAcceptsTheRuleset() throws {
        let ruleset = NFTRuleset(
            bridge: "ftcheck", range: IPv4Range("10.213.0.0/16")!,
            services: [
                .init(address: IPv4Address("10.213.200.9")!, ports: [8000], backends: ["10.213.0.2", "10.213.0.3"])
            ])
        let file = FileManager.default.temporaryDirectory.path + "/floe-nft-\(UUID().uuidString).nft"
        try ruleset.script.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = sh("nft -c -f \(file)")
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func routeOverlapNamesTheRoute() throws {
        let output = """
            default via 192.0.2.1 dev eth0
            10.213.5.0/24 dev eth1 proto kernel scope link src 10.213.5.1
            local 192.0.2.2 dev eth0 table local proto kernel scope host src 192.0.2.2
            broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2
            10.77.0.0/16 dev floe0 proto kernel scope link src 10.77.0.1
            """
        let range = try #require(IPv4Range("10.213.0.0/16"))
        #expect(
            HostRoutes.firstOverlap(in: output, with: range, ignoringDevice: "floe0")
                == "10.213.5.0/24 dev eth1 proto kernel scope link src 10.213.5.1")
        #expect(HostRoutes.firstOverlap(in: output, with: IPv4Range("10.77.0.0/16")!, ignoringDevice: "floe0") == nil)
        #expect(
            HostRoutes.firstOverlap(in: output, with: IPv4Range("192.0.2.0/26")!, ignoringDevice: "floe0")?
                .hasPrefix("local 192.0.2.2") == true)
        #expect(HostRoutes.firstOverlap(in: output, with: IPv4Range("172.16.0.0/12")!, ignoringDevice: "x") == nil)
    }

    @Test func linkNamesDropThePeerSuffix() {
        let output = """
            7: floe0v0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master floe0
            8: floe0v1a@if2: <BROADCAST> mtu 1500
            """
        #expect(NamespaceNetwork.linkNames(output) == ["floe0v0", "floe0v1a"])
    }
}
