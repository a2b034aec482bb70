import FloeCore
import FloeSpec
import Foundation
import Testing

@Suite("Services: suspend, resume, auto-suspend")
struct ServiceSuspensionTests {
    static let web = Fixtures.name("WEB")

    static func service(instances: Int = 2, autoSuspendSecs: Int = 0) -> DesiredService {
        var service = Fixtures.service("WEB", instances: instances)
        service.header.autoSuspendSecs = autoSuspendSecs
        return service
    }

    @Test("a suspended service's instances stop, none start; it shows SUSPENDING, then SUSPENDED")
    func suspendStopsInstances() {
        var sim = Simulation(Fixtures.desired(services: [Self.service()]))
        sim.settle()
        #expect(sim.objectStatus("WEB") == "RUNNING")
        sim.autoStop = false
        sim.world.apply(.suspendService(Self.web, .requested), desired: sim.desired, now: sim.now)
        sim.clearLog()
        sim.step()
        #expect(Set(sim.stops) == ["WEB/0", "WEB/1"])
        #expect(sim.objectStatus("WEB") == "SUSPENDING")
        sim.autoStop = true
        sim.finishStops()
        sim.settle()
        #expect(sim.world.instances(of: Self.web).isEmpty)
        #expect(sim.objectStatus("WEB") == "SUSPENDED")
        // Hours later nothing has started again.
        sim.advance(by: 7200)
        sim.clearLog()
        sim.settle()
        #expect(sim.starts.isEmpty)
    }

    @Test("resume starts the instances again and they become READY")
    func resume() {
        var sim = Simulation(Fixtures.desired(services: [Self.service()]))
        sim.settle()
        sim.world.apply(.suspendService(Self.web, .requested), desired: sim.desired, now: sim.now)
        sim.settle()
        #expect(sim.objectStatus("WEB") == "SUSPENDED")
        sim.world.apply(.resumeService(Self.web), desired: sim.desired, now: sim.now)
        sim.clearLog()
        sim.settle()
        #expect(Set(sim.starts) == ["WEB/0", "WEB/1"])
        #expect(sim.objectStatus("WEB") == "RUNNING")
        #expect(sim.world.services[Self.web]?.resumedAt == sim.now)
    }

    @Test("a suspended service gives its pool no work: the pool can auto-suspend")
    func poolIdleWhileServiceSuspended() {
        var desired = Fixtures.desired(
            services: [Self.service(instances: 1)], pools: ["POOL": Fixtures.pool(autoSuspendSecs: 60)])
        desired.services[Self.web]?.header.autoSuspendSecs = 0
        var sim = Simulation(desired)
        sim.settle()
        sim.world.apply(.suspendService(Self.web, .requested), desired: sim.desired, now: sim.now)
        sim.settle()
        sim.advance(by: 61)
        sim.settle()
        #expect(sim.world.pools[Fixtures.name("POOL")]?.suspended == true)
        // Resuming the service places its instance again, which resumes the pool (autoResume).
        sim.world.apply(.resumeService(Self.web), desired: sim.desired, now: sim.now)
        sim.settle()
        #expect(sim.objectStatus("WEB") == "RUNNING")
    }

    @Test("autoSuspendSecs: no traffic for that long suspends; traffic pushes it back")
    func autoSuspend() {
        var sim = Simulation(Fixtures.desired(services: [Self.service(instances: 1, autoSuspendSecs: 300)]))
        sim.settle()
        #expect(sim.world.services[Self.web]?.lastActiveAt == sim.now)
        #expect(sim.wakeAt == sim.now.addingTimeInterval(300))
        sim.advance(by: 200)
        sim.world.noteTraffic(service: Self.web, at: sim.now)
        sim.advance(by: 100)
        sim.settle()
        #expect(sim.objectStatus("WEB") == "RUNNING", "traffic 100 s ago: not idle for 300 s yet")
        sim.advanceToWake()
        sim.settle()
        #expect(sim.world.services[Self.web]?.suspension == .idle)
        #expect(sim.objectStatus("WEB") == "SUSPENDED")
    }

    @Test("autoSuspendSecs 0 never suspends, and before the first full scan nothing suspends")
    func noAutoSuspend() {
        var sim = Simulation(Fixtures.desired(services: [Self.service(instances: 1)]))
        sim.settle()
        sim.advance(by: 86_400)
        sim.settle()
        #expect(sim.objectStatus("WEB") == "RUNNING")
        var incomplete = Simulation(
            Fixtures.desired(services: [Self.service(instances: 1, autoSuspendSecs: 10)], complete: false))
        incomplete.settle()
        incomplete.advance(by: 100)
        incomplete.settle()
        #expect(incomplete.world.services[Self.web]?.suspended != true)
    }

    @Test("a removed service's record is forgotten once its instances are gone")
    func forgetRemoved() {
        var sim = Simulation(Fixtures.desired(services: [Self.service(instances: 1)]))
        sim.settle()
        sim.world.apply(.suspendService(Self.web, .requested), desired: sim.desired, now: sim.now)
        sim.settle()
        sim.desired.services[Self.web] = nil
        sim.settle()
        #expect(sim.world.services[Self.web] == nil)
    }

    @Test("suspension survives a save and load of the world")
    func persisted() throws {
        var world = World()
        world.apply(.suspendService(Self.web, .requested), desired: DesiredState(), now: Date(timeIntervalSince1970: 1))
        let data = try JSONEncoder().encode(world)
        let loaded = try JSONDecoder().decode(World.self, from: data)
        #expect(loaded.isSuspended(service: Self.web))
        #expect(loaded.services[Self.web]?.suspendedAt == Date(timeIntervalSince1970: 1))
    }
}
