import FloeCore
import Testing

@Suite("SPCS status words")
struct StatusReportTests {
    @Test func serviceIsRunningOnceMinReadyInstancesAreReady() {
        // No probe: an instance is READY as soon as its process runs; the test says when.
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("WEB", instances: 3, minReady: 2)]))
        sim.autoStart = false
        sim.settle()
        #expect(sim.objectStatus("WEB") == "PENDING")

        sim.started(sim.key("WEB", 0))
        sim.settle()
        #expect(sim.instance("WEB", 0)?.isReady == true)
        #expect(sim.objectStatus("WEB") == "PENDING")

        sim.started(sim.key("WEB", 1))
        sim.settle()
        #expect(sim.objectStatus("WEB") == "RUNNING")
        #expect(!StatusReport.isSteady(sim.rows("WEB"), isJob: false))

        sim.started(sim.key("WEB", 2))
        sim.settle()
        #expect(StatusReport.isSteady(sim.rows("WEB"), isJob: false))
    }

    @Test func rowsHaveSPCSShape() {
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service(
                    "echo_service", instances: 2,
                    containers: [Fixtures.container("echo"), Fixtures.container("sidecar", image: "/db/s/r/side:2")])
            ]))
        sim.settle()
        let rows = sim.rows("ECHO_SERVICE")
        #expect(rows.count == 4)
        #expect(rows.map(\.instanceId) == ["0", "0", "1", "1"])
        #expect(rows.map(\.containerName) == ["echo", "sidecar", "echo", "sidecar"])
        #expect(rows.allSatisfy { $0.serviceName == "ECHO_SERVICE" })
        #expect(rows.allSatisfy { $0.status == "READY" && $0.message == "Running" && $0.restartCount == 0 })
        #expect(rows[1].image == "/db/s/r/side:2")
        #expect(rows[0].startTime?.hasSuffix("Z") == true)
    }

    @Test func crashedServiceContainerIsFailedAndRetrying() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("LOOP")]))
        sim.settle()
        sim.exited(sim.key("LOOP", 0), code: 1)
        sim.settle()
        sim.exited(sim.key("LOOP", 0), code: 1)
        sim.settle()
        #expect(sim.status("LOOP", 0)?.status == "FAILED")
        #expect(sim.status("LOOP", 0)?.message == "Encountered fatal error, retrying")
        #expect(StatusReport.instance(sim.instance("LOOP", 0)!) == "FAILED")
        #expect(sim.objectStatus("LOOP") == "FAILED")
        #expect(sim.rows("LOOP").first?.restartCount == 1)
    }

    @Test func serviceThatCannotStartSaysFailedToPullImage() {
        var sim = Simulation(
            Fixtures.desired(services: [Fixtures.service("WEB", containers: [Fixtures.container(image: "/x/y/z:1")])]))
        sim.brokenImages = ["/x/y/z:1"]
        sim.settle()
        #expect(sim.status("WEB", 0)?.status == "PENDING")
        #expect(sim.status("WEB", 0)?.message.hasPrefix("Failed to pull image") == true)
    }

    @Test func startingContainerIsPendingWaitingToStart() {
        var sim = Simulation(Fixtures.desired(services: [Fixtures.service("WEB")]))
        sim.autoStart = false
        sim.settle()
        #expect(sim.container("WEB", 0)?.phase == .starting)
        #expect(sim.status("WEB", 0)?.status == "PENDING")
        #expect(sim.status("WEB", 0)?.message == "Waiting to start")
        #expect(StatusReport.instance(sim.instance("WEB", 0)!) == "PENDING")
    }

    @Test func jobRollUpWhileRunningAndDone() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", replicas: 2)]))
        sim.autoStart = false
        sim.settle()
        #expect(sim.objectStatus("BATCH") == "RUNNING")
        sim.started(sim.key("BATCH", 0))
        sim.started(sim.key("BATCH", 1))
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.exited(sim.key("BATCH", 1), code: 0)
        // Before the planner records the result, the roll-up already says DONE.
        #expect(sim.objectStatus("BATCH") == "DONE")
        sim.settle()
        #expect(sim.objectStatus("BATCH") == "DONE")
        #expect(sim.rows("BATCH").allSatisfy { $0.status == "DONE" && $0.message == "Completed successfully" })
    }
}
