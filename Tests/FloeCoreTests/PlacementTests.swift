import FloeCore
import FloeSpec
import Testing

@Suite("Placement, pool nodes, host ports")
struct PlacementTests {
    @Test func poolStartsWithMinNodes() {
        var sim = Simulation(Fixtures.desired(pools: ["POOL": Fixtures.pool(minNodes: 2, maxNodes: 3)]))
        sim.settle()
        #expect(sim.nodes() == [0, 1])
    }

    @Test func firstFitFillsTheFirstNodeBeforeTheNext() {
        // CPU_X64_S: 3 vCPU per node; each instance asks 0.5 cpu by default: six per node.
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("A", instances: 7)],
                pools: ["POOL": Fixtures.pool(minNodes: 2, maxNodes: 2, family: "CPU_X64_S")]))
        sim.settle()
        let nodes = (0..<7).map { sim.instance("A", $0)?.node?.index }
        #expect(nodes == [0, 0, 0, 0, 0, 0, 1])
    }

    @Test func firstFitUsesRoomFreedOnAnEarlierNode() {
        var sim = Simulation(
            Fixtures.desired(
                services: [
                    Fixtures.service("A", containers: [Fixtures.container(milliCPU: 1000)]),
                    Fixtures.service("B", containers: [Fixtures.container(milliCPU: 1000)]),
                ],
                pools: ["POOL": Fixtures.pool(minNodes: 2, maxNodes: 2)]))
        sim.settle()
        #expect(sim.instance("A", 0)?.node?.index == 0)
        #expect(sim.instance("B", 0)?.node?.index == 1)

        sim.desired.services[Fixtures.name("A")] = nil
        sim.settle()
        sim.desired.services[Fixtures.name("C")] = Fixtures.service(
            "C", containers: [Fixtures.container(milliCPU: 1000)])
        sim.settle()
        #expect(sim.instance("C", 0)?.node?.index == 0)
    }

    @Test func nodeIsAddedWhenAnInstanceDoesNotFitAndThePoolMayGrow() {
        // CPU_X64_XS: 1 vCPU per node: two default instances per node.
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("A", instances: 5)],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 3)]
            ))
        sim.settle()
        #expect(sim.nodes() == [0, 1, 2])
        #expect(sim.log.filter { if case .addNode = $0 { true } else { false } }.count == 3)
        let nodes = (0..<5).map { sim.instance("A", $0)?.node?.index }
        #expect(nodes == [0, 0, 1, 1, 2])
    }

    @Test func fullPoolAtMaxNodesLeavesTheInstancePendingUnschedulable() {
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("A", instances: 3)],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1)]
            ))
        sim.settle()
        #expect(sim.nodes() == [0])
        #expect(sim.instance("A", 2)?.node == nil)
        #expect(sim.status("A", 2)?.status == "PENDING")
        #expect(sim.status("A", 2)?.message == "Unschedulable due to insufficient resources")
        #expect(sim.instance("A", 0)?.isReady == true)
        #expect(sim.instance("A", 1)?.isReady == true)
        // minReady defaults to MIN_INSTANCES (3): not RUNNING with two ready.
        #expect(sim.objectStatus("A") == "PENDING")

        // The pool may grow: a node is added and the pending instance placed on it.
        sim.desired.pools[Fixtures.name("POOL")] = Fixtures.pool(minNodes: 1, maxNodes: 2)
        sim.settle()
        #expect(sim.instance("A", 2)?.node?.index == 1)
        #expect(sim.instance("A", 2)?.pendingMessage == nil)
        #expect(sim.objectStatus("A") == "RUNNING")
    }

    @Test func unschedulableInstanceIsPlacedWhenAnotherServiceFreesRoom() {
        var sim = Simulation(
            Fixtures.desired(
                services: [
                    Fixtures.service("A", containers: [Fixtures.container(milliCPU: 1000)]),
                    Fixtures.service("B", containers: [Fixtures.container(milliCPU: 1000)]),
                ],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1)]))
        sim.settle()
        #expect(sim.instance("B", 0)?.pendingMessage == "Unschedulable due to insufficient resources")

        sim.desired.services[Fixtures.name("A")] = nil
        sim.settle()
        #expect(sim.instance("A", 0) == nil)
        #expect(sim.instance("B", 0)?.node?.index == 0)
        #expect(sim.instance("B", 0)?.isReady == true)
    }

    @Test func missingPoolSaysWhatToDo() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("A", pool: "NOPE")]))
        sim.settle()
        #expect(sim.status("A", 0)?.status == "PENDING")
        #expect(sim.status("A", 0)?.message.contains("nope.yaml") == true)
    }

    @Test func idleNodesAreRemovedButNeverBelowMinNodes() {
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("A", instances: 6)],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 3)]
            ))
        sim.settle()
        #expect(sim.nodes() == [0, 1, 2])

        sim.desired.services[Fixtures.name("A")]?.header.minInstances = 3
        sim.clearLog()
        sim.settle()
        #expect(sim.nodes() == [0, 1])
        #expect(sim.log.contains(.removeNode(NodeRef(pool: Fixtures.name("POOL"), index: 2))))

        sim.desired.services[Fixtures.name("A")] = nil
        sim.settle()
        #expect(sim.nodes() == [0])
    }

    @Test func nodeWithAStoppingInstanceIsNotRemoved() {
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("A", instances: 3)],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 2)]
            ))
        sim.settle()
        sim.autoStop = false
        sim.desired.services[Fixtures.name("A")]?.header.minInstances = 2
        sim.settle()
        #expect(sim.instance("A", 2)?.terminating == true)
        #expect(sim.nodes() == [0, 1])
        sim.finishStops()
        sim.settle()
        #expect(sim.nodes() == [0])
    }

    @Test func secondInstanceOnTheSamePortWaitsAndNamesTheHolder() {
        let endpoint = EndpointSpec(name: "http", port: 8080)
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service("FIRST", endpoints: [endpoint]),
                Fixtures.service("SECOND", endpoints: [endpoint]),
            ]))
        sim.settle()
        #expect(sim.instance("FIRST", 0)?.isReady == true)
        #expect(sim.status("SECOND", 0)?.status == "PENDING")
        let message = sim.status("SECOND", 0)?.message ?? ""
        #expect(message.contains("8080"))
        #expect(message.contains("FIRST instance 0"))

        // The holder goes: the waiting instance takes the port.
        sim.desired.services[Fixtures.name("FIRST")] = nil
        sim.settle()
        #expect(sim.instance("SECOND", 0)?.isReady == true)
    }

    @Test func probePortsCountAsListeningPorts() {
        let probe = Fixtures.probe(port: 9000)
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service("WEB", instances: 2, containers: [Fixtures.container(readiness: probe)])
            ]))
        sim.settle()
        #expect(sim.instance("WEB", 0)?.node != nil)
        #expect(sim.instance("WEB", 1)?.node == nil)
        #expect(sim.status("WEB", 1)?.message.contains("port 9000, held by WEB instance 0") == true)
    }

    @Test func stoppedInstancesHoldNoPort() {
        let endpoint = EndpointSpec(name: "http", port: 8080)
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("WEB", endpoints: [endpoint])]))
        sim.settle()
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.settle()
        #expect(sim.instance("WEB", 0)?.digest == "v2")
        #expect(sim.instance("WEB", 0)?.isReady == true)
    }
}
