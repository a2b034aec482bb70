import FloeCore
import FloeSpec
import Testing

@Suite("Ports when instances have their own network")
struct NamespacePortTests {
    @Test func instancesInTheirOwnNamespacesShareAPort() {
        var planner = Planner()
        planner.instancesShareHostNetwork = false
        let probe = Fixtures.probe(port: 8000)
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service(
                    "WEB", instances: 3, containers: [Fixtures.container(readiness: probe)],
                    endpoints: [EndpointSpec(name: "http", port: 8000)])
            ]),
            planner: planner)
        sim.settle()
        for id in 0..<3 {
            #expect(sim.instance("WEB", id)?.node != nil)
            #expect(sim.status("WEB", id)?.message.contains("Waiting for port") == false)
        }
    }

    @Test func onTheHostNetworkTheSecondInstanceStillWaits() {
        let probe = Fixtures.probe(port: 8000)
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service("WEB", instances: 2, containers: [Fixtures.container(readiness: probe)])
            ]))
        sim.settle()
        #expect(sim.instance("WEB", 1)?.node == nil)
    }
}
