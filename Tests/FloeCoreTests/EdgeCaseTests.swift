import FloeCore
import FloeSpec
import Testing

@Suite("Edge cases")
struct EdgeCaseTests {
    @Test func onlyTheCrashedContainerOfAnInstanceRestarts() {
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service(
                    "PAIR", containers: [Fixtures.container("app"), Fixtures.container("sidecar", milliCPU: 100)])
            ]))
        sim.settle()
        let sidecar = sim.container("PAIR", 0, "sidecar")?.handle
        sim.exited(sim.key("PAIR", 0), "app", code: 1)
        #expect(StatusReport.instance(sim.instance("PAIR", 0)!) == "FAILED")
        sim.clearLog()
        sim.settle()
        #expect(sim.log == [.startContainer(sim.key("PAIR", 0), container: "app")])
        #expect(sim.container("PAIR", 0, "sidecar")?.handle == sidecar)
        #expect(sim.container("PAIR", 0, "app")?.restartCount == 1)
        #expect(sim.container("PAIR", 0, "sidecar")?.restartCount == 0)
        #expect(sim.instance("PAIR", 0)?.isReady == true)
    }

    @Test func scaleToZeroStopsEverythingAndKeepsMinNodes() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("WEB", instances: 3)]))
        sim.settle()
        sim.desired.services[Fixtures.name("WEB")]?.header.minInstances = 0
        sim.clearLog()
        sim.settle()
        #expect(sim.stops == ["WEB/2", "WEB/1", "WEB/0"])
        #expect(sim.ids("WEB").isEmpty)
        #expect(sim.nodes() == [0])
        #expect(sim.objectStatus("WEB") == "PENDING")
    }

    @Test func removedPoolLosesItsIdleNodesAndItsServicesWait() {
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("WEB", pool: "OTHER")],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1), "OTHER": Fixtures.pool(minNodes: 2)]))
        sim.settle()
        #expect(sim.nodes("OTHER") == [0, 1])
        sim.desired.pools[Fixtures.name("OTHER")] = nil
        sim.settle()
        // The running instance keeps its node; the idle one goes.
        #expect(sim.nodes("OTHER") == [0])
        #expect(sim.instance("WEB", 0)?.isReady == true)
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.settle()
        #expect(sim.nodes("OTHER").isEmpty)
        #expect(sim.status("WEB", 0)?.message.contains("other.yaml") == true)
    }

    /// v2 asks for more than the room an old instance frees: the new instance cannot be placed
    /// while the other old one holds its node. The upgrade waits (old instance 0 keeps serving)
    /// and says so once the deadline passes, rather than taking the last old instance down too.
    @Test func upgradeWhoseNewInstanceFindsNoRoomKeepsTheOldOneServing() {
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("WEB", instances: 2, upgradeDeadlineSeconds: 60)],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1)]))
        sim.settle()
        var bigger = Fixtures.service(
            "WEB", instances: 2, digest: "v2", containers: [Fixtures.container(milliCPU: 1000)],
            upgradeDeadlineSeconds: 60)
        bigger.header.minInstances = 2
        sim.desired.services[bigger.name] = bigger
        sim.clearLog()
        sim.settle()
        #expect(sim.stops == ["WEB/1"])
        #expect(sim.instance("WEB", 1)?.pendingMessage == "Unschedulable due to insufficient resources")
        #expect(sim.instance("WEB", 0)?.isReady == true)
        #expect(sim.wakeAt == sim.now.addingTimeInterval(60))
        sim.advanceToWake()
        sim.settle()
        #expect(sim.stops == ["WEB/1"])
        #expect(sim.world.upgradeBlocked[bigger.name]?.contains("instance 1") == true)
        #expect(sim.objectStatus("WEB") == "PENDING")
    }

    @Test func nodeIndexesAreNotReusedWhileAHigherNodeIsBusy() {
        var sim = Simulation(
            Fixtures.desired(
                services: [
                    Fixtures.service("A", containers: [Fixtures.container(milliCPU: 1000)]),
                    Fixtures.service("B", containers: [Fixtures.container(milliCPU: 1000)]),
                ],
                pools: ["POOL": Fixtures.pool(minNodes: 0, maxNodes: 3)]))
        sim.settle()
        #expect(sim.instance("A", 0)?.node?.index == 0)
        #expect(sim.instance("B", 0)?.node?.index == 1)
        sim.desired.services[Fixtures.name("A")] = nil
        sim.settle()
        #expect(sim.nodes() == [1])
        sim.desired.services[Fixtures.name("C")] = Fixtures.service(
            "C", instances: 2, containers: [Fixtures.container(milliCPU: 1000)])
        sim.settle()
        #expect(Set(sim.nodes()) == [1, 2, 3])
        #expect(sim.instance("C", 0)?.node?.index == 2)
        #expect(sim.instance("C", 1)?.node?.index == 3)
    }
}
