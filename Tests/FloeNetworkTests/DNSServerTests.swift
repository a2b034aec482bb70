import FloeNetwork
import NIOCore
import Testing

@Suite struct DNSServerTests {
    @Test func answersItsNamesAndForwardsTheRest() async throws {
        // The "host's resolver": another DNSServer that knows example.test.
        let upstream = try await DNSServer.start(host: "127.0.0.1", port: 0, upstreams: [])
        defer { Task { await upstream.close() } }
        upstream.update(DNSTable(services: ["example.test": IPv4Address("192.0.2.7")!]))
        let upstreamAddress = try #require(upstream.localAddress)

        let server = try await DNSServer.start(host: "127.0.0.1", port: 0, upstreams: [upstreamAddress])
        defer { Task { await server.close() } }
        server.update(
            DNSTable(
                services: ["first-service": IPv4Address("10.213.250.1")!],
                instances: ["first-service": [IPv4Address("10.213.0.2")!, IPv4Address("10.213.0.3")!]]))
        let port = try #require(server.localAddress?.port)

        let own = try #require(udpExchange(aQuery("first-service"), port: port))
        #expect(answerAddresses(own) == ["10.213.250.1"])
        let instances = try #require(udpExchange(aQuery("instances.first-service"), port: port))
        #expect(answerAddresses(instances) == ["10.213.0.2", "10.213.0.3"])
        let forwarded = try #require(udpExchange(aQuery("example.test", id: 0x7777), port: port))
        #expect(Array(forwarded.prefix(2)) == [0x77, 0x77])
        #expect(answerAddresses(forwarded) == ["192.0.2.7"])
        let missing = try #require(udpExchange(aQuery("instances.nothing"), port: port))
        #expect(missing[3] & 0x0F == 3)
    }

    @Test func failsOverToServerFailureWithoutUpstreams() async throws {
        let server = try await DNSServer.start(host: "127.0.0.1", port: 0, upstreams: [])
        defer { Task { await server.close() } }
        let port = try #require(server.localAddress?.port)
        let answer = try #require(udpExchange(aQuery("example.com"), port: port))
        #expect(answer[3] & 0x0F == 2)
    }
}
