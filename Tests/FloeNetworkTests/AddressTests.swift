import FloeNetwork
import FloeSpec
import Testing

@Suite struct AddressTests {
    @Test func parsesAndPrintsRanges() throws {
        let range = try #require(IPv4Range("10.213.0.0/16"))
        #expect(range.description == "10.213.0.0/16")
        #expect(range.size == 65_536)
        #expect(range.last.description == "10.213.255.255")
        #expect(range.contains(try #require(IPv4Address("10.213.7.9"))))
        #expect(!range.contains(try #require(IPv4Address("10.214.0.1"))))
        #expect(IPv4Range("10.213.0.1/16") == nil)
        #expect(IPv4Range("10.213.0.0/33") == nil)
        #expect(IPv4Range("10.213.0/16") == nil)
        #expect(IPv4Range("300.1.1.0/24") == nil)
        #expect(IPv4Range("192.168.1.7")?.prefixLength == 32)
    }

    @Test func overlapWorksBothWays() throws {
        let big = try #require(IPv4Range("10.0.0.0/8"))
        let small = try #require(IPv4Range("10.213.5.0/24"))
        let other = try #require(IPv4Range("192.168.0.0/16"))
        #expect(big.overlaps(small))
        #expect(small.overlaps(big))
        #expect(!big.overlaps(other))
    }

    @Test func planPutsGatewayInstancesAndServicesApart() throws {
        let plan = try AddressPlan(range: try #require(IPv4Range("10.213.0.0/24")))
        #expect(plan.gateway.description == "10.213.0.1")
        #expect(plan.instanceAddress(slot: 0).description == "10.213.0.2")
        #expect(plan.instanceAddress(slot: plan.instanceSlots - 1).description == "10.213.0.191")
        #expect(plan.serviceAddress(slot: 0).description == "10.213.0.192")
        #expect(plan.serviceAddress(slot: plan.serviceSlots - 1).description == "10.213.0.254")
        #expect(plan.preferredServiceSlot("web") == plan.preferredServiceSlot("web"))
        #expect(plan.preferredServiceSlot("web") < plan.serviceSlots)
        #expect(throws: NetworkError.rangeTooSmall("10.213.0.0/27")) {
            try AddressPlan(range: IPv4Range("10.213.0.0/27")!)
        }
    }

    @Test func namesFitTheKernelsLimits() throws {
        let names = NetworkNames(bridge: "floe0")
        #expect(NetworkNames.dnsName(ObjectName("FILTER_SERVICE")!) == "filter-service")
        let id = InstanceNetworkID(service: ObjectName("FILTER_SERVICE")!, instance: 2)
        #expect(names.namespace(id) == "floe0-filter-service-2")
        #expect(names.isOwnNamespace("floe0-filter-service-2"))
        #expect(!names.isOwnNamespace("floe01-filter-service-2"))
        let veth = names.hostVeth(slot: 0xFFFFFF)
        #expect(veth.utf8.count <= 15)
        #expect(names.isOwnVeth(veth))
        #expect(!names.isOwnVeth("floe0"))
        #expect(!names.isOwnVeth("floe0vx"))
        #expect(NetworkNames.isValidBridgeName("floe0"))
        #expect(!NetworkNames.isValidBridgeName("floe-bridge"))
        #expect(!NetworkNames.isValidBridgeName("0floe"))
        #expect(NetworkNames(bridge: "abcdefgh").hostVeth(slot: 0xABCDEF).utf8.count == 15)
    }
}
