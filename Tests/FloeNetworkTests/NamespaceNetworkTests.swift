import FloeNetwork
import FloeSpec
import Foundation
import Testing

/// Real namespaces, bridge and nftables. Each test uses its own bridge and range so that tests
/// running at the same time never see each other's objects.
@Suite(.serialized, .enabled(if: canManageNetworks, "needs root, iproute2 and nftables"))
struct NamespaceNetworkTests {
    static let web = ObjectName("WEB_SERVICE")!

    func makeNetwork(bridge: String, range: String, netns: String) throws -> NamespaceNetwork {
        try NamespaceNetwork(
            range: IPv4Range(range)!, bridge: bridge, tools: NetworkTools.find().get(), logger: quietLogger,
            netnsDirectory: netns)
    }

    @Test func attachGivesEachInstanceItsAddressAndDetachLeavesNothing() async throws {
        let netns = try temporaryNetnsDirectory()
        defer { try? FileManager.default.removeItem(atPath: netns) }
        let network = try makeNetwork(bridge: "ftatt", range: "10.250.1.0/24", netns: netns)
        try await network.prepare()
        let first = try await network.attach(InstanceNetworkID(service: Self.web, instance: 0))
        let second = try await network.attach(InstanceNetworkID(service: Self.web, instance: 1))
        #expect(first.address == "10.250.1.2")
        #expect(second.address == "10.250.1.3")
        #expect(first.namespace == "ftatt-web-service-0")
        #expect(try await network.attach(InstanceNetworkID(service: Self.web, instance: 0)) == first)
        let namespace = try #require(first.namespace)
        #expect(sh("ip -n \(namespace) -4 -o addr show dev eth0").output.contains("inet 10.250.1.2/24"))
        #expect(sh("ip -n \(namespace) link show lo").output.contains("UP"))
        #expect(sh("ip -n \(namespace) route show default").output.contains("via 10.250.1.1"))
        #expect(
            (try? String(contentsOfFile: "\(netns)/\(namespace)/resolv.conf", encoding: .utf8))
                == "nameserver 10.250.1.1\n")
        // Instance to instance over the bridge, and to the gateway.
        #expect(sh("ip netns exec \(namespace) ping -c 1 -W 2 10.250.1.3").status == 0 || !hasPing)
        #expect(sh("ip netns exec \(namespace) ping -c 1 -W 2 10.250.1.1").status == 0 || !hasPing)

        await network.detach(InstanceNetworkID(service: Self.web, instance: 0))
        await network.detach(InstanceNetworkID(service: Self.web, instance: 1))
        #expect(leftovers(bridge: "ftatt") == ["link ftatt", "table inet ftatt"])
        #expect(!FileManager.default.fileExists(atPath: "\(netns)/\(namespace)"))
        await network.shutdown()
        #expect(leftovers(bridge: "ftatt") == [])
    }

    @Test func prepareRemovesWhatAPreviousRunLeft() async throws {
        let netns = try temporaryNetnsDirectory()
        defer { try? FileManager.default.removeItem(atPath: netns) }
        let previous = try makeNetwork(bridge: "ftprep", range: "10.250.2.0/24", netns: netns)
        try await previous.prepare()
        _ = try await previous.attach(InstanceNetworkID(service: Self.web, instance: 0))
        _ = try await previous.attach(InstanceNetworkID(service: Self.web, instance: 1))
        try await previous.publish([ServiceRoute(service: Self.web, ports: [8000], readyAddresses: ["10.250.2.2"])])
        // The previous floed "crashed": nothing was detached. A new one starts on the same bridge.
        #expect(leftovers(bridge: "ftprep").count == 6)
        let next = try makeNetwork(bridge: "ftprep", range: "10.250.2.0/24", netns: netns)
        try await next.prepare()
        #expect(leftovers(bridge: "ftprep") == ["link ftprep", "table inet ftprep"])
        #expect(!sh("ip -4 -o addr show dev ftprep").output.contains("/32"))
        #expect((try FileManager.default.contentsOfDirectory(atPath: netns)).isEmpty)
        await next.shutdown()
        #expect(leftovers(bridge: "ftprep") == [])
        await previous.shutdown()
    }

    @Test func prepareRefusesARangeTheHostRoutes() async throws {
        let dummy = "ftdum\(Int.random(in: 100...999))"
        try #require(sh("ip link add \(dummy) type bridge && ip addr add 10.252.3.1/24 dev \(dummy)").status == 0)
        defer { sh("ip link delete \(dummy)") }
        let network = try makeNetwork(bridge: "ftover", range: "10.252.0.0/16", netns: try temporaryNetnsDirectory())
        await #expect {
            try await network.prepare()
        } throws: { error in
            "\(error)".contains("overlaps the host route") && "\(error)".contains(dummy)
        }
        #expect(leftovers(bridge: "ftover") == [])
    }

    @Test func servicesAreReachedByNameThroughTheirAddress() async throws {
        let netns = try temporaryNetnsDirectory()
        defer { try? FileManager.default.removeItem(atPath: netns) }
        let network = try makeNetwork(bridge: "ftsvc", range: "10.250.4.0/24", netns: netns)
        try await network.prepare()
        let web = InstanceNetworkID(service: Self.web, instance: 0)
        let client = InstanceNetworkID(service: ObjectName("CLIENT")!, instance: 0)
        let serverAttachment = try await network.attach(web)
        let clientAttachment = try await network.attach(client)
        let serverNamespace = serverAttachment.namespace ?? ""
        let clientNamespace = clientAttachment.namespace ?? ""
        let http = Process()
        http.executableURL = URL(fileURLWithPath: "/bin/sh")
        http.arguments = [
            "-c",
            "exec ip netns exec \(serverNamespace) python3 -m http.server 8000 --bind 0.0.0.0 --directory \(netns)",
        ]
        http.standardOutput = FileHandle.nullDevice
        http.standardError = FileHandle.nullDevice
        try http.run()
        try await network.publish([
            ServiceRoute(service: Self.web, ports: [8000], readyAddresses: [serverAttachment.address]),
            ServiceRoute(service: ObjectName("CLIENT")!, ports: [], readyAddresses: [clientAttachment.address]),
        ])
        try "hello from web\n".write(toFile: "\(netns)/index.txt", atomically: true, encoding: .utf8)
        let fetch = """
            import socket, sys, time, urllib.request
            print(socket.gethostbyname_ex("instances.web-service")[2])
            for _ in range(100):
                try:
                    print(urllib.request.urlopen("http://web-service:8000/index.txt", timeout=2).read().decode(), end="")
                    sys.exit(0)
                except OSError:
                    time.sleep(0.1)
            sys.exit(1)
            """
        let script = "\(netns)/fetch.py"
        try fetch.write(toFile: script, atomically: true, encoding: .utf8)
        // The instance's resolver is the gateway: mount its resolv.conf as ip netns exec does from /etc/netns.
        let resolvConf = "\(netns)/\(clientNamespace)/resolv.conf"
        let result = sh(
            "ip netns exec \(clientNamespace) unshare -m sh -c "
                + "'mount --bind \(resolvConf) /etc/resolv.conf && python3 \(script)'")
        let serviceAddress = await network.serviceAddress(Self.web)
        // SIGKILL: the test process blocks SIGTERM and children inherit the mask.
        kill(http.processIdentifier, SIGKILL)
        http.waitUntilExit()
        await network.detach(web)
        await network.detach(client)
        await network.shutdown()

        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "['\(serverAttachment.address)']\nhello from web\n")
        #expect(serviceAddress.map { IPv4Range("10.250.4.0/24")!.contains($0) } == true)
        #expect(leftovers(bridge: "ftsvc") == [])
    }
}

let hasPing =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/ping")
    || FileManager.default.isExecutableFile(atPath: "/bin/ping")
