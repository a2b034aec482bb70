import FloeCore
import FloeSpec
import Foundation
import Testing

/// The scoped plan (``Planner/plan(desired:world:now:objects:)``) against the full plan: driven the
/// way floed's reconcile loop drives them, by seeded random sequences of events, a scoped plan that
/// is not given up must ask for exactly what the full plan asks for.
@Suite struct ScopedPlanTests {
    /// A small stage: services with readiness and liveness probes, two that want the same host port,
    /// one that needs more than a node has, and a job.
    static func stage() -> DesiredState {
        let probed = Fixtures.container(
            readiness: Fixtures.probe(port: 8001), liveness: Fixtures.probe(port: 8001, failureThreshold: 2))
        let web = Fixtures.container(readiness: Fixtures.probe(port: 9000))
        let plain = Fixtures.container(milliCPU: 250)
        return Fixtures.desired(
            services: [
                // One instance: a second would wait for the first's port, and a service with an
                // unplaced instance is always planned in full.
                Fixtures.service("API", instances: 1, containers: [probed]),
                Fixtures.service("WEB", instances: 1, containers: [web]),
                Fixtures.service("WEB2", instances: 1, containers: [web]),
                Fixtures.service("WORKER", instances: 3, containers: [plain]),
                Fixtures.service("HUGE", instances: 1, containers: [Fixtures.container(milliCPU: 64_000)]),
            ],
            jobs: [Fixtures.job("BATCH", replicas: 2, retries: 1)],
            pools: ["POOL": Fixtures.pool(minNodes: 1, maxNodes: 3)])
    }

    /// The reconcile loop of a test: full plans after anything but process starts and probe answers,
    /// scoped ones otherwise, each scoped plan checked against the full plan.
    struct Loop {
        var desired = ScopedPlanTests.stage()
        var world = World()
        let planner = Planner()
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        var fullPlanDue = true
        var rng: SeededGenerator
        var nextPid: Int32 = 100
        /// Scoped plans that were kept, and how many of them asked for something.
        var scopedKept = 0
        var scopedActed = 0

        init(seed: UInt64) {
            rng = SeededGenerator(seed: seed)
        }

        mutating func reconcile() {
            var scope = fullPlanDue ? nil : world.takeObservedObjects()
            if fullPlanDue { _ = world.takeObservedObjects() }
            fullPlanDue = false
            for _ in 0..<64 {
                let full = planner.plan(desired: desired, world: world, now: now)
                var plan = full
                if let objects = scope {
                    if let scoped = planner.plan(desired: desired, world: world, now: now, objects: objects) {
                        #expect(scoped.actions == full.actions, "scope \(objects.sorted()) in \(world.instances.keys)")
                        scopedKept += 1
                        if !scoped.actions.isEmpty { scopedActed += 1 }
                        plan = scoped
                    } else {
                        scope = nil
                    }
                }
                if plan.actions.isEmpty { return }
                for action in plan.actions { world.apply(action, desired: desired, now: now) }
                // As floed does: the plan after a plan checks only the objects its actions were about.
                var next = world.takeObservedObjects()
                for action in plan.actions {
                    if let object = action.object { next.insert(object) } else { next = []; break }
                }
                scope = plan.actions.contains { $0.object == nil } ? nil : next
            }
            Issue.record("the loop did not settle")
        }

        /// Every container of every instance, with its phase.
        func containers(_ phases: Set<ContainerState.Phase>) -> [(InstanceKey, String)] {
            world.instances.keys.sorted().flatMap { key in
                (world.instances[key]?.containers ?? []).filter { phases.contains($0.phase) }.map { (key, $0.name) }
            }
        }

        mutating func pick<T>(_ items: [T]) -> T? {
            items.isEmpty ? nil : items[Int(rng.next() % UInt64(items.count))]
        }

        /// One random event, as the runtime, the probes, the stage or the clock would cause it.
        mutating func event() {
            let backoff = planner.backoff
            switch rng.next() % 10 {
            case 0, 1, 2:
                guard let (key, name) = pick(containers([.starting])) else { return }
                nextPid += 1
                world.containerStarted(
                    key, name, handle: ContainerHandle(pid: nextPid, processGroup: nextPid, startTicks: 1), at: now)
            case 3, 4, 5:
                guard let (key, name) = pick(containers([.running])) else { return }
                let liveness = rng.next() % 2 == 0
                let success = rng.next() % 3 != 0
                world.probeAnswered(key, name, liveness: liveness, success: success, threshold: 2)
            case 6:
                guard let (key, name) = pick(containers([.running, .stopping])) else { return }
                let code: Int32 = rng.next() % 2 == 0 ? 0 : 1
                world.containerExited(
                    key, name, exit: ContainerExit(exitCode: code, signal: nil), at: now, backoff: backoff)
                fullPlanDue = true
            case 7:
                guard let (key, name) = pick(containers([.starting])) else { return }
                world.containerFailedToStart(key, name, reason: "Failed to pull image", at: now, backoff: backoff)
                fullPlanDue = true
            case 8:
                // A stage change: a new version of a service, or another instance count.
                guard let name = pick(desired.services.keys.sorted()) else { return }
                if rng.next() % 2 == 0 {
                    desired.services[name]?.digest = "v\(rng.next() % 1000)"
                } else {
                    desired.services[name]?.header.minInstances = Int(rng.next() % 4)
                }
                fullPlanDue = true
            default:
                // Time passes: floed's timer plans in full.
                now = now.addingTimeInterval(Double(rng.next() % 20))
                fullPlanDue = true
            }
        }
    }

    @Test(arguments: 1...24 as ClosedRange<UInt64>)
    func scopedPlanEqualsFullPlan(seed: UInt64) {
        var loop = Loop(seed: seed)
        loop.reconcile()
        for _ in 0..<300 {
            loop.event()
            loop.reconcile()
        }
        #expect(loop.scopedKept > 0)
    }

    @Test func scopedPlansActAcrossSeeds() {
        // Liveness failures restart containers within a scoped plan: the comparison above covers
        // plans that ask for something, not only empty ones.
        var acted = 0
        for seed in 1...24 as ClosedRange<UInt64> {
            var loop = Loop(seed: seed)
            loop.reconcile()
            for _ in 0..<300 {
                loop.event()
                loop.reconcile()
            }
            acted += loop.scopedActed
        }
        #expect(acted > 0)
    }

    @Test func placingGivesUpTheScope() {
        // A service whose instance is missing needs placing, which only a full plan decides.
        let desired = Fixtures.desired(services: [Fixtures.service("A")])
        let plan = Planner().plan(
            desired: desired, world: World(), now: Date(), objects: [Fixtures.name("A")])
        #expect(plan == nil)
    }

    @Test func objectsOutsideTheScopeAreNotPlanned() {
        var world = World()
        let desired = Fixtures.desired(services: [Fixtures.service("A"), Fixtures.service("B")])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let planner = Planner()
        for action in planner.plan(desired: desired, world: world, now: now).actions {
            world.apply(action, desired: desired, now: now)
        }
        // Both containers wait to start (the full plan started them; pretend their starts were lost).
        for key in world.instances.keys { world.updateContainer(key, "main") { $0.phase = .waiting } }
        let plan = planner.plan(desired: desired, world: world, now: now, objects: [Fixtures.name("B")])
        #expect(plan?.actions == [.startContainer(InstanceKey(Fixtures.name("B"), 0), container: "main")])
    }

    @Test func observationsAreJournaled() {
        var world = World()
        let desired = Fixtures.desired(services: [Fixtures.service("A"), Fixtures.service("B")])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for action in Planner().plan(desired: desired, world: world, now: now).actions {
            world.apply(action, desired: desired, now: now)
        }
        #expect(world.takeObservedObjects().isEmpty)
        let key = InstanceKey(Fixtures.name("B"), 0)
        world.containerStarted(key, "main", handle: ContainerHandle(pid: 5, processGroup: 5, startTicks: 1), at: now)
        let copy = world
        #expect(world.takeObservedObjects() == [Fixtures.name("B")])
        #expect(world.takeObservedObjects().isEmpty)
        // The journal is not part of the world's value.
        #expect(world == copy)
    }
}

/// A small deterministic random number generator (SplitMix64), so that a failing seed fails again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
