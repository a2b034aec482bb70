import FloeCore
import FloeRuntime
import FloeSpec
import FloeTesting
import Foundation
import Synchronization
import Testing

@testable import FloeDaemon

/// Instance runners alone: the order of what they report, and their hooks.
@Suite("Instance runner")
struct InstanceRunnerTests {
    /// Collects what a runner reports.
    final class Reports: Sendable {
        private let events = Mutex<[String]>([])
        func add(_ event: LoopEvent) {
            let text: String
            switch event {
            case .started(let ref, _, _): text = "started \(ref.container)"
            case .failedToStart(let ref, let reason, _): text = "failed \(ref.container): \(reason)"
            case .exited(let ref, let exit, _, _): text = "exited \(ref.container) \(exit.code)"
            case .networkAttached(_, let address, _): text = "address \(address)"
            case .runnerRetired: text = "retired"
            default: text = "other"
            }
            events.withLock { $0.append(text) }
        }
        var all: [String] { events.withLock { $0 } }
    }

    /// A runtime whose processes end before `start` returns (a program that exits at once).
    struct InstantExitRuntime: ContainerRuntime {
        func start(_ launch: ContainerLaunch, onExit: @escaping @Sendable (ContainerExit) -> Void)
            async throws(ContainerStartError) -> ContainerHandle
        {
            onExit(ContainerExit(exitCode: 3, signal: nil))
            return ContainerHandle(pid: 4242, processGroup: 4242, startTicks: 1)
        }
        func stop(_ handle: ContainerHandle, grace: Duration) async {}
        func isAlive(_ handle: ContainerHandle) -> Bool { false }
        func adopt(_ handle: ContainerHandle, onExit: @escaping @Sendable (ContainerExit) -> Void) -> Adoption {
            .lost(reason: "never adopts")
        }
        func leftRuns() -> [LeftRun] { [] }
        func discardRuns(_ ids: Set<String>) {}
        func discardRun(_ id: String) {}
    }

    /// A hook that writes what it sees to a shared list, and refuses starts when told.
    final class Trace: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    final class TracingHook: InstanceHook {
        let name: String
        let trace: Trace
        let refuse: Bool
        init(_ name: String, trace: Trace, refuse: Bool = false) {
            self.name = name
            self.trace = trace
            self.refuse = refuse
        }
        func prestart(_ start: inout ContainerStart, instance: InstanceKey) async throws(HookFailure) {
            trace.add("\(name).prestart")
            start.launch.environment["SEEN_BY"] = (start.launch.environment["SEEN_BY"] ?? "") + name
            if refuse { throw HookFailure("\(name) says no") }
        }
        func poststart(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async {
            trace.add("\(name).poststart")
        }
        func stopped(_ ref: ContainerRef) async { trace.add("\(name).stopped") }
        func released(_ instance: InstanceKey) async { trace.add("\(name).released") }
        func forgotten(_ instance: InstanceKey) async { trace.add("\(name).forgotten") }
    }

    static let key = InstanceKey(ObjectName("web")!, 1)

    static func start(_ container: String = "main") -> ContainerStart {
        let spec = ContainerSpec(name: container, image: "/floe/test/app:latest")
        let launch = ContainerLaunch(
            service: key.object, instanceID: key.id, containerName: container, argv: ["serve"], environment: [:],
            workingDirectory: "/", logFile: "/dev/null")
        return ContainerStart(container: spec, launch: launch, image: nil, runAs: nil, secrets: [:])
    }

    static func until(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func anExitThatOvertakesTheStartIsReportedAfterIt() async {
        let reports = Reports()
        let runner = InstanceRunner(key: Self.key, id: 1, runtime: InstantExitRuntime(), hooks: []) { reports.add($0) }
        runner.start(Self.start())
        #expect(await Self.until { reports.all.count == 2 })
        #expect(reports.all == ["started main", "exited main 3"])
    }

    @Test func hooksRunInOrderAroundTheRuntimeAndAroundTheStop() async {
        let trace = Trace()
        let runtime = FakeContainerRuntime()
        let reports = Reports()
        let runner = InstanceRunner(
            key: Self.key, id: 1, runtime: runtime,
            hooks: [TracingHook("a", trace: trace), TracingHook("b", trace: trace)]
        ) { reports.add($0) }
        runner.start(Self.start())
        #expect(await Self.until { reports.all == ["started main"] })
        #expect(runtime.running.first?.launch.environment["SEEN_BY"] == "ab")
        runner.stop(grace: .seconds(1))
        #expect(await Self.until { reports.all.count == 2 })
        runner.forget()
        #expect(await Self.until { reports.all.last == "retired" })
        #expect(
            trace.all == [
                "a.prestart", "b.prestart", "a.poststart", "b.poststart", "a.stopped", "b.stopped", "a.stopped",
                "b.stopped", "a.released", "b.released", "a.forgotten", "b.forgotten",
            ])
    }

    @Test func aHookThatRefusesKeepsTheRuntimeFromStarting() async {
        let trace = Trace()
        let runtime = FakeContainerRuntime()
        let reports = Reports()
        let runner = InstanceRunner(
            key: Self.key, id: 1, runtime: runtime,
            hooks: [TracingHook("a", trace: trace, refuse: true), TracingHook("b", trace: trace)]
        ) { reports.add($0) }
        runner.start(Self.start())
        #expect(await Self.until { !reports.all.isEmpty })
        #expect(reports.all == ["failed main: a says no"])
        #expect(runtime.startCount == 0)
        #expect(trace.all == ["a.prestart"])
    }

    @Test func aRunnerReplacingAnotherWaitsForItsLastOperation() async {
        let runtime = FakeContainerRuntime()
        let reports = Reports()
        runtime.holdStarts()
        let first = InstanceRunner(key: Self.key, id: 1, runtime: runtime, hooks: []) { reports.add($0) }
        first.start(Self.start())
        first.forget()
        #expect(await Self.until { runtime.heldStarts == 1 })
        let second = InstanceRunner(key: Self.key, id: 2, runtime: runtime, hooks: [], after: first.tail) {
            reports.add($0)
        }
        second.start(Self.start())
        try? await Task.sleep(for: .milliseconds(50))
        #expect(runtime.heldStarts == 1)
        runtime.releaseStarts()
        #expect(await Self.until { runtime.processes.count == 2 && runtime.running.count == 1 })
        #expect(reports.all.contains("retired"))
        #expect(runtime.processes.first?.running == false)
    }

    @Test func anIdleRunnerHoldsNoFinishedOperation() async {
        let runtime = FakeContainerRuntime()
        let reports = Reports()
        let runner = InstanceRunner(key: Self.key, id: 1, runtime: runtime, hooks: []) { reports.add($0) }
        runner.start(Self.start())
        runner.start(Self.start("sidecar"))
        let last = runner.tail
        #expect(last != nil)
        await last?.value
        #expect(reports.all == ["started main", "started sidecar"])
        #expect(runner.tail == nil)
    }
}
