import FloeCore
import Foundation
import Testing

@Suite("Jobs: replicas, roll-up, retries, re-runs, cancel, retention")
struct JobTests {
    @Test func replicasRunAndTheJobIsDoneWhenAllExitZero() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", replicas: 3)]))
        sim.settle()
        #expect(sim.ids("BATCH") == [0, 1, 2])
        #expect(sim.starts == ["BATCH/0", "BATCH/1", "BATCH/2"])
        #expect(sim.objectStatus("BATCH") == "RUNNING")
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.digest == "j1")

        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.exited(sim.key("BATCH", 1), code: 0)
        sim.settle()
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == nil)
        #expect(sim.objectStatus("BATCH") == "RUNNING")
        #expect(sim.status("BATCH", 0)?.status == "DONE")
        #expect(sim.status("BATCH", 0)?.message == "Completed successfully")
        #expect(StatusReport.instance(sim.instance("BATCH", 0)!) == "SUCCEEDED")

        sim.exited(sim.key("BATCH", 2), code: 0)
        sim.clearLog()
        sim.settle()
        #expect(sim.log == [.finishJobRun(Fixtures.name("BATCH"), .done)])
        #expect(sim.objectStatus("BATCH") == "DONE")
        #expect(StatusReport.isSteady(sim.rows("BATCH"), isJob: true))
        // A finished job is not run again while its file is unchanged, and nothing restarts.
        sim.advance(by: 3600)
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
    }

    @Test func oneFailedReplicaFailsTheJob() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", replicas: 2)]))
        sim.settle()
        sim.exited(sim.key("BATCH", 1), code: 3)
        sim.settle()
        #expect(sim.status("BATCH", 1)?.status == "FAILED")
        #expect(sim.status("BATCH", 1)?.message == "User application error, check container logs")
        #expect(StatusReport.instance(sim.instance("BATCH", 1)!) == "FAILED")
        // SPCS's roll-up: any instance failed -> FAILED, even while another still runs.
        #expect(sim.objectStatus("BATCH") == "FAILED")
        // No restart of a job container.
        #expect(sim.container("BATCH", 1)?.phase == .exited)
        #expect(sim.starts == ["BATCH/0", "BATCH/1"])

        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.settle()
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == .failed)
        #expect(sim.objectStatus("BATCH") == "FAILED")
    }

    @Test func failedReplicaIsRetriedUpToRetries() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", replicas: 2, retries: 2)]))
        sim.settle()
        sim.exited(sim.key("BATCH", 0), code: 0)
        for attempt in 1...2 {
            sim.exited(sim.key("BATCH", 1), code: 1)
            sim.clearLog()
            sim.settle()
            #expect(sim.instance("BATCH", 1)?.attempt == attempt + 1)
            #expect(sim.starts == ["BATCH/1"])
            #expect(sim.container("BATCH", 1)?.phase == .running)
            #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == nil)
        }
        // The third failure is final.
        sim.exited(sim.key("BATCH", 1), code: 1)
        sim.clearLog()
        sim.settle()
        #expect(sim.starts.isEmpty)
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == .failed)
    }

    @Test func retriedReplicaThatSucceedsMakesTheJobDone() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", retries: 1)]))
        sim.settle()
        sim.exited(sim.key("BATCH", 0), code: 1)
        sim.settle()
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.settle()
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == .done)
        #expect(sim.objectStatus("BATCH") == "DONE")
    }

    @Test func jobThatCannotStartFails() {
        var sim = Simulation(
            Fixtures.desired(jobs: [Fixtures.job("BATCH", containers: [Fixtures.container(image: "/db/s/r/gone:1")])]))
        sim.brokenImages = ["/db/s/r/gone:1"]
        sim.settle()
        #expect(sim.status("BATCH", 0)?.status == "FAILED")
        #expect(sim.status("BATCH", 0)?.message.hasPrefix("Failed to pull image") == true)
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == .failed)
        #expect(sim.starts == ["BATCH/0"])
    }

    @Test func changedDigestRunsAFinishedJobAgain() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", replicas: 2)]))
        sim.settle()
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.exited(sim.key("BATCH", 1), code: 0)
        sim.settle()
        #expect(sim.objectStatus("BATCH") == "DONE")

        sim.desired.jobs[Fixtures.name("BATCH")]?.digest = "j2"
        sim.clearLog()
        sim.settle()
        #expect(sim.log.first == .startJobRun(Fixtures.name("BATCH"), digest: "j2"))
        #expect(sim.starts == ["BATCH/0", "BATCH/1"])
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == nil)
        #expect(sim.instance("BATCH", 0)?.digest == "j2")
        #expect(sim.container("BATCH", 0)?.lastExit == nil)
        #expect(sim.objectStatus("BATCH") == "RUNNING")
    }

    @Test func changedDigestStopsARunningJobFirst() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", replicas: 2)]))
        sim.settle()
        sim.autoStop = false
        sim.desired.jobs[Fixtures.name("BATCH")]?.digest = "j2"
        sim.clearLog()
        sim.settle()
        #expect(sim.log.contains(.stopInstance(sim.key("BATCH", 0), .rerun)))
        #expect(sim.stops == ["BATCH/0", "BATCH/1"])
        #expect(sim.starts.isEmpty)

        sim.finishStops()
        sim.settle()
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.digest == "j2")
        #expect(sim.starts == ["BATCH/0", "BATCH/1"])
        #expect(sim.instance("BATCH", 1)?.digest == "j2")
    }

    @Test func removedFileCancelsARunningJob() {
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH", replicas: 2)]))
        sim.settle()
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.settle()
        sim.autoStop = false
        sim.desired.jobs[Fixtures.name("BATCH")] = nil
        sim.clearLog()
        sim.settle()
        // Only the replica that still runs is stopped.
        #expect(
            sim.log == [
                .stopInstance(sim.key("BATCH", 1), .cancelled), .finishJobRun(Fixtures.name("BATCH"), .cancelled),
            ])
        #expect(sim.objectStatus("BATCH") == "CANCELLED")
        sim.finishStops()
        sim.settle()
        #expect(sim.objectStatus("BATCH") == "CANCELLED")
        #expect(sim.instance("BATCH", 1)?.isQuiet == true)
    }

    @Test func finishedJobIsKeptThenForgottenAfterRetention() {
        let planner = Planner(jobRetention: .seconds(3600))
        var sim = Simulation(Fixtures.desired(jobs: [Fixtures.job("BATCH")]), planner: planner)
        sim.settle()
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.settle()
        let finishedAt = sim.now
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.finishedAt == finishedAt)

        sim.advance(by: 100)
        sim.desired.jobs[Fixtures.name("BATCH")] = nil
        sim.clearLog()
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == .done)
        #expect(sim.objectStatus("BATCH") == "DONE")
        #expect(sim.wakeAt == finishedAt.addingTimeInterval(3600))

        sim.advanceToWake()
        sim.settle()
        #expect(sim.log == [.forgetJob(Fixtures.name("BATCH"))])
        #expect(sim.world.jobRuns.isEmpty)
        #expect(sim.world.instances.isEmpty)
    }

    @Test func finishedReplicasHoldNoResources() {
        // One XS node, no growth: the service fits only once the job's replica has finished.
        var sim = Simulation(
            Fixtures.desired(
                jobs: [Fixtures.job("BATCH", containers: [Fixtures.container(milliCPU: 1000)])],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1)]))
        sim.settle()
        sim.desired.services[Fixtures.name("WEB")] = Fixtures.service(
            "WEB", containers: [Fixtures.container(milliCPU: 1000)])
        sim.settle()
        #expect(sim.status("WEB", 0)?.message == "Unschedulable due to insufficient resources")
        sim.exited(sim.key("BATCH", 0), code: 0)
        sim.settle()
        #expect(sim.instance("WEB", 0)?.isReady == true)
    }
}

@Suite("Job retries and shared capacity")
struct JobRetryCapacityTests {
    /// One XS node, no growth. A failed replica frees its room; a service waiting for room takes
    /// it. The retry must not be squeezed onto the same, now full, node.
    @Test func retryDoesNotOvercommitANodeAnotherInstanceTook() {
        var sim = Simulation(
            Fixtures.desired(
                services: [Fixtures.service("WEB", containers: [Fixtures.container(milliCPU: 1000)])],
                jobs: [Fixtures.job("BATCH", retries: 1, containers: [Fixtures.container(milliCPU: 1000)])],
                pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1)]))
        // The job came first and holds the node.
        sim.desired.services = [:]
        sim.settle()
        sim.desired = Fixtures.desired(
            services: [Fixtures.service("WEB", containers: [Fixtures.container(milliCPU: 1000)])],
            jobs: [Fixtures.job("BATCH", retries: 1, containers: [Fixtures.container(milliCPU: 1000)])],
            pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 1)])
        sim.settle()
        #expect(sim.instance("WEB", 0)?.node == nil)

        sim.exited(sim.key("BATCH", 0), code: 1)
        sim.settle()
        // The service took the room; the retry waits (and keeps its attempt count).
        #expect(sim.instance("WEB", 0)?.isReady == true)
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == nil)
        #expect(sim.instance("BATCH", 0)?.attempt == 1)

        // The service goes: the retry runs.
        sim.desired.services = [:]
        sim.settle()
        #expect(sim.instance("BATCH", 0)?.attempt == 2)
        #expect(sim.container("BATCH", 0)?.phase == .running)
        sim.exited(sim.key("BATCH", 0), code: 1)
        sim.settle()
        #expect(sim.world.jobRuns[Fixtures.name("BATCH")]?.result == .failed)
    }
}
