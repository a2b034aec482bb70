import FloeCore
import Testing

@Suite("Readiness and liveness probes")
struct ProbeTests {
    @Test func readinessProbeGatesReadyAndNamesPathAndPort() {
        let probe = Fixtures.probe(port: 8000, path: "/x")
        var sim = Simulation(
            Fixtures.desired(services: [Fixtures.service("WEB", containers: [Fixtures.container(readiness: probe)])]))
        sim.settle()
        let key = sim.key("WEB", 0)
        #expect(sim.container("WEB", 0)?.phase == .running)
        #expect(sim.status("WEB", 0)?.status == "PENDING")
        #expect(sim.status("WEB", 0)?.message == "Waiting to start")
        #expect(sim.objectStatus("WEB") == "PENDING")

        for _ in 0..<3 { sim.readiness(key, success: false) }
        #expect(sim.status("WEB", 0)?.status == "PENDING")
        #expect(sim.status("WEB", 0)?.message == "Readiness probe is failing at path: /x, port: 8000")

        sim.readiness(key, success: true)
        #expect(sim.status("WEB", 0)?.status == "READY")
        #expect(sim.status("WEB", 0)?.message == "Running")
        #expect(sim.objectStatus("WEB") == "RUNNING")

        // Failing readiness takes traffic away but never restarts anything.
        for _ in 0..<3 { sim.readiness(key, success: false) }
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.status("WEB", 0)?.message == "Readiness probe is failing at path: /x, port: 8000")
    }

    @Test func fewerFailuresThanTheThresholdKeepAnInstanceReady() {
        let probe = Fixtures.probe(port: 8000)
        var sim = Simulation(
            Fixtures.desired(services: [Fixtures.service("WEB", containers: [Fixtures.container(readiness: probe)])]))
        sim.settle()
        let key = sim.key("WEB", 0)
        sim.readiness(key, success: true)
        sim.readiness(key, success: false)
        sim.readiness(key, success: false)
        #expect(sim.status("WEB", 0)?.status == "READY")
        sim.readiness(key, success: false)
        #expect(sim.status("WEB", 0)?.status == "PENDING")
    }

    @Test func livenessFailuresRestartTheContainer() {
        let probe = Fixtures.probe(port: 8000, path: "/alive")
        var sim = Simulation(
            Fixtures.desired(services: [Fixtures.service("WEB", containers: [Fixtures.container(liveness: probe)])]))
        sim.settle()
        let key = sim.key("WEB", 0)
        sim.liveness(key, success: true)
        sim.liveness(key, success: false)
        sim.liveness(key, success: false)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty, "two failures are below the threshold of three")

        sim.autoStop = false
        sim.liveness(key, success: false)
        sim.settle()
        #expect(sim.log == [.restartContainer(key, container: "main")])
        #expect(sim.status("WEB", 0)?.status == "TERMINATING")
        #expect(sim.status("WEB", 0)?.message == "Restarting: liveness probe failed")
        // Only the container restarts: the instance is not stopped.
        #expect(sim.instance("WEB", 0)?.terminating == false)

        sim.finishStops()
        sim.clearLog()
        sim.settle()
        #expect(sim.log == [.startContainer(key, container: "main")])
        #expect(sim.container("WEB", 0)?.restartCount == 1)
        #expect(sim.container("WEB", 0)?.livenessFailures == 0)
        #expect(sim.instance("WEB", 0)?.isReady == true)
    }

    @Test func livenessFailuresBeforeTheFirstAnswerDoNotCount() {
        // A container still booting (with a readiness probe not yet answered) is not killed.
        let live = Fixtures.probe(port: 8000, path: "/alive")
        let ready = Fixtures.probe(port: 8000, path: "/ready")
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service("WEB", containers: [Fixtures.container(readiness: ready, liveness: live)])
            ]))
        sim.settle()
        let key = sim.key("WEB", 0)
        for _ in 0..<5 { sim.liveness(key, success: false) }
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
    }
}
