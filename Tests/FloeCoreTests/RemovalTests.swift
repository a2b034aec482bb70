import FloeCore
import Testing

@Suite("Removal of services whose file is gone")
struct RemovalTests {
    @Test func removedServiceStopsHighestIdFirstAndIsForgotten() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("OLD", instances: 3)]))
        sim.settle()
        sim.autoStop = false
        sim.desired.services[Fixtures.name("OLD")] = nil
        sim.clearLog()
        sim.settle()
        #expect(sim.stops == ["OLD/2", "OLD/1", "OLD/0"])
        #expect(sim.log.contains(.stopInstance(sim.key("OLD", 0), .removed)))
        #expect(sim.objectStatus("OLD") == "DELETING")
        #expect(sim.rows("OLD").allSatisfy { $0.status == "TERMINATING" })

        sim.finishStops()
        sim.settle()
        #expect(sim.ids("OLD").isEmpty)
        #expect(sim.objectStatus("OLD") == "DELETED")
    }

    @Test func nothingIsRemovedBeforeTheFirstFullScan() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("KEEP", instances: 2)]))
        sim.settle()
        #expect(sim.liveIds("KEEP") == [0, 1])

        // floed restarted: its stage scan has not finished, the service's file not read yet.
        sim.desired = Fixtures.desired(complete: false)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.liveIds("KEEP") == [0, 1])

        // The scan finishes and the file is still there: nothing happened in between.
        sim.desired = Fixtures.desired(services: [Fixtures.service("KEEP", instances: 2)])
        sim.settle()
        #expect(sim.log.isEmpty)

        // The scan finishes without the file: now it goes.
        sim.desired = Fixtures.desired(services: [])
        sim.settle()
        #expect(sim.ids("KEEP").isEmpty)
    }

    @Test func incompleteScanDoesNotCancelAJob() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH")]))
        sim.settle()
        sim.desired = Fixtures.desired(complete: false)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == nil)
    }

    @Test func unplacedInstancesOfARemovedServiceAreForgottenAtOnce() {
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("BIG", instances: 3)],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1)]
            ))
        sim.settle()
        #expect(sim.instance("BIG", 2)?.node == nil)
        sim.autoStop = false
        sim.desired.services[Fixtures.name("BIG")] = nil
        sim.clearLog()
        sim.settle()
        #expect(sim.log.contains(.forgetInstance(sim.key("BIG", 2))))
        #expect(sim.stops == ["BIG/1", "BIG/0"])
        #expect(sim.ids("BIG") == [0, 1])
    }

    @Test func crashedInstanceWaitingForItsRestartIsRemovedWithoutAStopToWaitFor() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("OLD")]))
        sim.settle()
        sim.exited(sim.key("OLD", 0), code: 1)
        sim.settle()
        sim.exited(sim.key("OLD", 0), code: 1)
        sim.settle()
        #expect(sim.container("OLD", 0)?.phase == .waiting)
        sim.desired.services[Fixtures.name("OLD")] = nil
        sim.autoStop = false
        sim.clearLog()
        sim.settle()
        #expect(sim.ids("OLD").isEmpty)
        #expect(sim.starts.isEmpty)
    }
}

@Suite("Stops that race with starts")
struct StopRaceTests {
    /// floed asked the runtime to start a container, then the service was removed before the
    /// runtime answered: the container that then reports "started" must still be stopped.
    @Test func containerThatStartsAfterItsInstanceWasStoppedIsStoppedAgain() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("OLD")]))
        sim.autoStart = false
        sim.autoStop = false
        sim.settle()
        #expect(sim.container("OLD", 0)?.phase == .starting)

        sim.desired.services[Fixtures.name("OLD")] = nil
        sim.settle()
        #expect(sim.instance("OLD", 0)?.terminating == true)

        // The runtime's answer to the earlier start arrives.
        sim.started(sim.key("OLD", 0))
        sim.clearLog()
        sim.settle()
        #expect(sim.stops == ["OLD/0"], "the running process of a stopped instance is stopped")
        sim.finishStops()
        sim.settle()
        #expect(sim.ids("OLD").isEmpty)
    }

    @Test func scaleDownWhileStartingEndsWithTheProcessStopped() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("WEB", instances: 2)]))
        sim.autoStart = false
        sim.autoStop = false
        sim.settle()
        sim.desired.services[Fixtures.name("WEB")]?.header.minInstances = 1
        sim.settle()
        sim.started(sim.key("WEB", 0))
        sim.started(sim.key("WEB", 1))
        sim.clearLog()
        sim.settle()
        #expect(sim.log == [.stopInstance(sim.key("WEB", 1), .scaledDown)])
        #expect(sim.status("WEB", 1)?.status == "TERMINATING")
        #expect(sim.instance("WEB", 0)?.isReady == true)
    }
}
