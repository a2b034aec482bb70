import FloeCore
import FloeSpec
import FloeTesting
import Foundation
import Testing

@Suite struct ManualClockTests {
    @Test func sleepersWakeWhenTheClockPassesTheirTime() async throws {
        let clock = ManualClock()
        let start = clock.now
        let woke = Task {
            try await clock.sleep(for: .seconds(10))
            return clock.now
        }
        while clock.sleeperCount == 0 { await Task.yield() }
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        let at = try await woke.value
        #expect(at.timeIntervalSince(start) == 10)
    }

    @Test func aCancelledSleeperThrows() async {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(60)) }
        while clock.sleeperCount == 0 { await Task.yield() }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }
}

@Suite struct FakeContainerRuntimeTests {
    @Test func stopEndsTheProcessWithSIGTERMUnlessToldOtherwise() async throws {
        let runtime = FakeContainerRuntime()
        let launch = ContainerLaunch(
            service: ObjectName("S")!, instanceID: 1, containerName: "main", argv: ["x"], environment: [:],
            workingDirectory: "/", logFile: "/dev/null")
        let exits = ExitBox()
        let handle = try await runtime.start(launch) { exits.add($0) }
        #expect(runtime.isAlive(handle))
        await runtime.stop(handle, grace: .seconds(1))
        #expect(exits.all == [ContainerExit(exitCode: nil, signal: 15)])
        #expect(!runtime.isAlive(handle))
        runtime.setStopsExit(false)
        let second = try await runtime.start(launch) { exits.add($0) }
        await runtime.stop(second, grace: .seconds(1))
        #expect(runtime.isAlive(second))
        #expect(runtime.exit(ObjectName("S")!, 1, "main", with: ContainerExit(exitCode: 3, signal: nil)))
        #expect(exits.all.last == ContainerExit(exitCode: 3, signal: nil))
    }
}

final class ExitBox: @unchecked Sendable {
    private var exits: [ContainerExit] = []
    private let lock = NSLock()
    func add(_ exit: ContainerExit) { lock.withLock { exits.append(exit) } }
    var all: [ContainerExit] { lock.withLock { exits } }
}
