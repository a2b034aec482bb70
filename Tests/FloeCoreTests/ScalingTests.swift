import FloeCore
import Testing

@Suite("Scaling: MIN_INSTANCES changes")
struct ScalingTests {
    @Test func createsInstancesWithIdsFromZero() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("ECHO", instances: 3)]))
        sim.settle()
        #expect(sim.ids("ECHO") == [0, 1, 2])
        for id in 0..<3 {
            #expect(sim.instance("ECHO", id)?.isReady == true)
            #expect(sim.status("ECHO", id)?.status == "READY")
        }
        #expect(sim.stops.isEmpty)
    }

    @Test func scaleUpAddsInstancesAndRestartsNothing() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("ECHO", instances: 2)]))
        sim.settle()
        let before = [sim.container("ECHO", 0)?.handle, sim.container("ECHO", 1)?.handle]
        sim.clearLog()

        sim.desired.services[Fixtures.name("ECHO")]?.header.minInstances = 4
        sim.settle()

        #expect(sim.ids("ECHO") == [0, 1, 2, 3])
        #expect(sim.stops.isEmpty)
        #expect(sim.starts == ["ECHO/2", "ECHO/3"])
        #expect([sim.container("ECHO", 0)?.handle, sim.container("ECHO", 1)?.handle] == before)
        #expect(sim.container("ECHO", 0)?.restartCount == 0)
    }

    @Test func scaleDownRemovesHighestIdsFirstAndRestartsNothing() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("ECHO", instances: 4)]))
        sim.settle()
        let kept = [sim.container("ECHO", 0)?.handle, sim.container("ECHO", 1)?.handle]
        sim.clearLog()

        sim.desired.services[Fixtures.name("ECHO")]?.header.minInstances = 2
        sim.settle()

        #expect(sim.stops == ["ECHO/3", "ECHO/2"])
        #expect(sim.log.contains(.stopInstance(sim.key("ECHO", 3), .scaledDown)))
        #expect(sim.starts.isEmpty)
        #expect(sim.ids("ECHO") == [0, 1])
        #expect([sim.container("ECHO", 0)?.handle, sim.container("ECHO", 1)?.handle] == kept)
    }

    @Test func scaledDownInstanceIsTerminatingUntilItsProcessEnds() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("ECHO", instances: 2)]))
        sim.settle()
        sim.autoStop = false
        sim.desired.services[Fixtures.name("ECHO")]?.header.minInstances = 1
        sim.settle()

        #expect(sim.ids("ECHO") == [0, 1])
        #expect(sim.status("ECHO", 1)?.status == "TERMINATING")
        #expect(StatusReport.instance(sim.instance("ECHO", 1)!) == "TERMINATING")

        sim.finishStops()
        sim.settle()
        #expect(sim.ids("ECHO") == [0])
    }

    @Test func scaleUpAgainWhileAnInstanceStillStopsWaitsForIt() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("ECHO", instances: 2)]))
        sim.settle()
        sim.autoStop = false
        sim.desired.services[Fixtures.name("ECHO")]?.header.minInstances = 1
        sim.settle()
        sim.desired.services[Fixtures.name("ECHO")]?.header.minInstances = 2
        sim.clearLog()
        sim.settle()
        #expect(sim.starts.isEmpty)
        #expect(sim.instance("ECHO", 1)?.terminating == true)

        sim.finishStops()
        sim.settle()
        #expect(sim.liveIds("ECHO") == [0, 1])
        #expect(sim.instance("ECHO", 1)?.isReady == true)
    }
}
