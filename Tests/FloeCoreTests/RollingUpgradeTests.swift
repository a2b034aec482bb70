import FloeCore
import Testing

@Suite("Rolling upgrade on a digest change")
struct RollingUpgradeTests {
    /// Three READY instances of v1 (no probe: READY once the process runs). From then on the
    /// test plays the runtime: it says when a container has started and when a stop has ended.
    func runningThree(deadline: Int = 600) -> Simulation {
        var sim = Simulation(
            Fixtures.desired(services: [Fixtures.service("WEB", instances: 3, upgradeDeadlineSeconds: deadline)]))
        sim.settle()
        sim.autoStart = false
        sim.autoStop = false
        sim.clearLog()
        return sim
    }

    @Test func upgradesOneInstanceAtATimeFromTheHighestId() {
        var sim = runningThree()
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"

        var order: [Int] = []
        for expected in [2, 1, 0] {
            sim.settle()
            // Exactly one instance is terminating, the highest one still on v1.
            let terminating = sim.world.instances(of: Fixtures.name("WEB")).filter(\.terminating)
            #expect(terminating.map(\.key.id) == [expected])
            #expect(sim.status("WEB", expected)?.status == "TERMINATING")
            for id in sim.liveIds("WEB") {
                #expect(sim.instance("WEB", id)?.digest == (id > expected ? "v2" : "v1"))
            }
            order.append(expected)

            // The old process ends: the new instance appears, PENDING until its process runs.
            sim.finishStops()
            sim.settle()
            #expect(sim.instance("WEB", expected)?.digest == "v2")
            #expect(sim.instance("WEB", expected)?.terminating == false)
            #expect(sim.status("WEB", expected)?.status == "PENDING")
            // Nothing else goes while the new instance is not READY.
            #expect(sim.world.instances.values.allSatisfy { !$0.terminating })

            #expect(sim.status("WEB", expected)?.message == "Waiting to start")
            sim.started(sim.key("WEB", expected))
            #expect(sim.status("WEB", expected)?.status == "READY")
        }
        sim.settle()
        #expect(order == [2, 1, 0])
        #expect(sim.stops == ["WEB/2", "WEB/1", "WEB/0"])
        #expect(sim.ids("WEB") == [0, 1, 2])
        #expect(sim.world.instances.values.allSatisfy { $0.digest == "v2" && $0.isReady })
        #expect(sim.world.upgradeBlocked.isEmpty)
        #expect(sim.objectStatus("WEB") == "RUNNING")
    }

    @Test func upgradeActionsAreTaggedUpgrade() {
        var sim = runningThree()
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.settle()
        #expect(sim.log == [.stopInstance(sim.key("WEB", 2), .upgrade)])
    }

    @Test func newInstanceThatNeverBecomesReadyStopsTheUpgradeWithAMessage() {
        var sim = runningThree(deadline: 120)
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.settle()
        sim.finishStops()
        sim.settle()
        #expect(sim.instance("WEB", 2)?.digest == "v2")
        // The planner wants to look again when the deadline passes.
        let created = sim.instance("WEB", 2)!.createdAt
        #expect(sim.wakeAt == created.addingTimeInterval(120))

        sim.advance(by: 60)
        sim.settle()
        #expect(sim.world.upgradeBlocked.isEmpty)

        sim.advanceToWake()
        sim.clearLog()
        sim.settle()
        let message = sim.world.upgradeBlocked[Fixtures.name("WEB")]
        #expect(message?.contains("instance 2 did not become READY within 120 s") == true)
        #expect(sim.stops.isEmpty)

        // Much later: still stopped, instances 0 and 1 still run v1.
        sim.advance(by: 3600)
        sim.settle()
        #expect(sim.stops.isEmpty)
        #expect(sim.instance("WEB", 0)?.digest == "v1")
        #expect(sim.instance("WEB", 1)?.digest == "v1")
        #expect(sim.instance("WEB", 0)?.isReady == true)
    }

    @Test func fixingTheSpecAfterABlockedUpgradeReplacesTheBrokenInstanceFirst() {
        var sim = runningThree(deadline: 120)
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.settle()
        sim.finishStops()
        sim.settle()
        sim.advance(by: 121)
        sim.settle()
        #expect(sim.world.upgradeBlocked[Fixtures.name("WEB")] != nil)

        sim.desired.services[Fixtures.name("WEB")]?.digest = "v3"
        sim.clearLog()
        sim.settle()
        #expect(sim.stops == ["WEB/2"])
        sim.finishStops()
        sim.settle()
        #expect(sim.instance("WEB", 2)?.digest == "v3")
        // The old message no longer describes what happens.
        #expect(sim.world.upgradeBlocked.isEmpty)
    }

    @Test func nothingReadyMeansEverythingIsReplacedAtOnce() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("WEB", instances: 3)]))
        // The runtime never reports the starts: nothing is READY.
        sim.autoStart = false
        sim.autoStop = false
        sim.settle()
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.clearLog()
        sim.step()
        #expect(sim.stops == ["WEB/2", "WEB/1", "WEB/0"])
        sim.finishStops()
        sim.autoStart = true
        sim.settle()
        #expect(sim.ids("WEB") == [0, 1, 2])
        #expect(sim.world.instances.values.allSatisfy { $0.digest == "v2" && $0.isReady })
    }

    @Test func crashLoopingOldVersionIsReplacedAtOnceToo() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("WEB", instances: 2)]))
        sim.settle()
        // Both crash and wait for their restart: nothing runs, nothing is READY.
        sim.exited(sim.key("WEB", 0), code: 1)
        sim.exited(sim.key("WEB", 1), code: 1)
        sim.settle()
        sim.exited(sim.key("WEB", 0), code: 1)
        sim.exited(sim.key("WEB", 1), code: 1)
        #expect(sim.container("WEB", 0)?.phase == .waiting)
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.clearLog()
        sim.settle()
        #expect(sim.stops == ["WEB/1", "WEB/0"])
        #expect(sim.world.instances.values.allSatisfy { $0.digest == "v2" && $0.isReady })
    }

    @Test func scaleUpDuringAnUpgradeCreatesNewVersionInstances() {
        var sim = runningThree()
        sim.desired.services[Fixtures.name("WEB")]?.digest = "v2"
        sim.desired.services[Fixtures.name("WEB")]?.header.minInstances = 4
        sim.settle()
        #expect(sim.instance("WEB", 3)?.digest == "v2")
        // The new instance 3 is not READY yet: no old one goes.
        #expect(sim.stops.isEmpty)
        sim.started(sim.key("WEB", 3))
        sim.settle()
        #expect(sim.stops == ["WEB/2"])
    }
}
