import FloeCore
import FloeSpec
import Foundation
import Testing

@Suite("Convergence and stability")
struct ConvergenceTests {
    /// A stage with a bit of everything.
    static func mixedStage() -> DesiredState {
        let probe = Fixtures.probe(port: 8000)
        return Fixtures.desired(
            services: [
                Fixtures.service("WEB", instances: 2, containers: [Fixtures.container(liveness: probe)]),
                Fixtures.service("API", instances: 3, endpoints: [EndpointSpec(name: "api", port: 9000)]),
                Fixtures.service("BIG", instances: 2, containers: [Fixtures.container(milliCPU: 1000)]),
            ],
            jobs: [Fixtures.job("BATCH", replicas: 2, retries: 1)],
            pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 3)])
    }

    /// Plan, apply, plan again with no observation in between: the second plan asks for nothing.
    static func expectConverges(_ desired: DesiredState, _ world: World, at now: Date) {
        let planner = Planner()
        let plan = planner.plan(desired: desired, world: world, now: now)
        var applied = world
        for action in plan.actions { applied.apply(action, desired: desired, now: now) }
        let again = planner.plan(desired: desired, world: applied, now: now)
        #expect(again.actions.isEmpty, "after \(plan.actions) the planner asked for \(again.actions)")
    }

    @Test func planningAgainAfterApplyingAsksForNothing() {
        let desired = Self.mixedStage()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // From nothing.
        Self.expectConverges(desired, World(), at: now)

        // And at every point of a run with observations.
        var sim = Simulation(desired)
        sim.settle()
        Self.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.exited(sim.key("BATCH", 0), code: 1)
        Self.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.settle()
        sim.exited(sim.key("WEB", 0), code: 137)
        Self.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.settle()
        sim.desired.services[Fixtures.name("API")]?.digest = "v2"
        Self.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.settle()
        sim.desired.services[Fixtures.name("BIG")] = nil
        sim.desired.jobs[Fixtures.name("BATCH")] = nil
        Self.expectConverges(sim.desired, sim.world, at: sim.now)
        sim.settle()
    }

    @Test func settledWorldPlansNothingAndSetsNoWake() {
        var sim = Simulation(Self.mixedStage())
        sim.settle()
        let plan = Planner().plan(desired: sim.desired, world: sim.world, now: sim.now)
        #expect(plan.actions.isEmpty)
        // The unschedulable API instances (one port) wait for an event, not a time.
        #expect(plan.wakeAt == nil)
    }

    /// A broken file keeps the old DesiredService in the desired state (the daemon's job): the
    /// planner, seeing the same desired state after observations, stops and upgrades nothing.
    @Test func unchangedDesiredStateAfterObservationsStopsNothing() {
        let probe = Fixtures.probe(port: 8000)
        var sim = Simulation(
            Fixtures.desired(services: [
                Fixtures.service("WEB", instances: 2, containers: [Fixtures.container(readiness: probe)])
            ]))
        sim.settle()
        sim.readiness(sim.key("WEB", 0), success: true)
        sim.clearLog()
        sim.settle()
        sim.readiness(sim.key("WEB", 1), success: false)
        sim.readiness(sim.key("WEB", 1), success: false)
        sim.readiness(sim.key("WEB", 1), success: false)
        sim.settle()
        sim.advance(by: 3600)
        sim.settle()
        #expect(sim.log.isEmpty)
        #expect(sim.world.instances.values.allSatisfy { !$0.terminating && $0.digest == "v1" })
        #expect(sim.container("WEB", 0)?.restartCount == 0)
    }

    @Test func plannerIsAPureFunction() {
        var sim = Simulation(Self.mixedStage())
        sim.settle()
        sim.exited(sim.key("WEB", 0), code: 1)
        let a = Planner().plan(desired: sim.desired, world: sim.world, now: sim.now)
        let b = Planner().plan(desired: sim.desired, world: sim.world, now: sim.now)
        #expect(a == b)
        #expect(!a.actions.isEmpty)
    }
}
