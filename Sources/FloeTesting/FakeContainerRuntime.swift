import FloeCore
import FloeRuntime
import FloeSpec
import Foundation
import Synchronization

/// A container runtime that runs nothing: starts hand out made-up pids, and a test decides when and
/// how each "process" ends (``exit(_:_:_:with:)``). ``stop(_:grace:)`` ends the process with SIGTERM at
/// once unless told otherwise, as a process that honours SIGTERM would.
///
/// Starts can be scripted to fail (``failStarts(of:with:)``) or held until the test lets them go
/// (``holdStarts()`` / ``releaseStarts()``), to put events in the order a race would.
///
/// Like floe-monitor's records, every start is a run (`run-N`) that outlives the loop that asked for
/// it: a second loop on the same fake adopts its processes (``adopt(_:onExit:)``), learns how the ended
/// ones ended, and finds runs its records miss (``leftRuns()``). ``loseExit(ofPID:)`` and
/// ``reusePID(_:)`` script the cases where that cannot be known.
public final class FakeContainerRuntime: ContainerRuntime {
    /// One container the fake "runs" (or ran).
    public struct Process: Sendable {
        public var launch: ContainerLaunch
        public var handle: ContainerHandle
        public var running: Bool
        /// How many times ``stop(_:grace:)`` was called for it.
        public var stops: Int
        /// How it ended, as its monitor would have written it down (nil while it runs, or when lost).
        public var exit: ContainerExit?
        /// Whether its run's record was discarded.
        public var discarded = false
        /// Its pid now belongs to another process.
        var reused = false
        /// When it was asked for (its run's record).
        var requestedAt = Date()
        var onExit: (@Sendable (ContainerExit) -> Void)?
    }

    private struct State {
        var processes: [Int32: Process] = [:]
        var nextPID: Int32 = 1000
        var failures: [String: ContainerStartError] = [:]
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
        var stopsExit = true
        var starts = 0
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: Scripting

    /// Makes starts of containers of `object` (all objects when nil) fail with `error` (nil: succeed).
    public func failStarts(of object: ObjectName?, with error: ContainerStartError?) {
        state.withLock { $0.failures[object?.value ?? "*"] = error }
    }

    /// Holds every start from now on until ``releaseStarts()``.
    public func holdStarts() {
        state.withLock { $0.holding = true }
    }

    /// Lets every held start go on, and starts run through again.
    public func releaseStarts() {
        let held = state.withLock { state in
            state.holding = false
            defer { state.held = [] }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    /// How many starts wait in ``holdStarts()`` now.
    public var heldStarts: Int { state.withLock { $0.held.count } }

    /// Whether ``stop(_:grace:)`` ends the process (true by default); false: stopped processes keep
    /// running until ``exit(_:_:_:with:)``, like one that ignores SIGTERM during its grace time.
    public func setStopsExit(_ value: Bool) {
        state.withLock { $0.stopsExit = value }
    }

    /// Ends the running process of container `container` of instance `instance` of `object`.
    /// Returns false when no such process runs.
    @discardableResult
    public func exit(_ object: ObjectName, _ instance: Int, _ container: String, with exit: ContainerExit) -> Bool {
        let pid = state.withLock { state in
            state.processes.values.first {
                $0.running && $0.launch.service == object && $0.launch.instanceID == instance
                    && $0.launch.containerName == container
            }?.handle.pid
        }
        guard let pid else { return false }
        end(pid, exit)
        return true
    }

    // MARK: Reading

    /// Every process started, in start order.
    public var processes: [Process] { state.withLock { $0.processes.values.sorted { $0.handle.pid < $1.handle.pid } } }
    /// The processes running now.
    public var running: [Process] { processes.filter(\.running) }
    /// How many starts were asked for (failed ones included).
    public var startCount: Int { state.withLock { $0.starts } }

    // MARK: ContainerRuntime

    public func start(
        _ launch: ContainerLaunch, onExit: @escaping @Sendable (ContainerExit) -> Void
    ) async throws(ContainerStartError) -> ContainerHandle {
        let hold: Bool = state.withLock { state in
            state.starts += 1
            return state.holding
        }
        if hold {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    guard state.holding else { return true }
                    state.held.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        let result: Result<ContainerHandle, ContainerStartError> = state.withLock { state in
            if let error = state.failures[launch.service.value] ?? state.failures["*"] { return .failure(error) }
            state.nextPID += 1
            let handle = ContainerHandle(
                pid: state.nextPID, processGroup: state.nextPID, startTicks: 1, run: "run-\(state.nextPID)",
                monitorPID: state.nextPID + 100_000)
            state.processes[handle.pid] = Process(
                launch: launch, handle: handle, running: true, stops: 0, onExit: onExit)
            return .success(handle)
        }
        return try result.get()
    }

    public func stop(_ handle: ContainerHandle, grace: Duration) async {
        let exits = state.withLock { state in
            state.processes[handle.pid]?.stops += 1
            return state.stopsExit
        }
        if exits { end(handle.pid, ContainerExit(exitCode: nil, signal: 15)) }
    }

    public func isAlive(_ handle: ContainerHandle) -> Bool {
        state.withLock { $0.processes[handle.pid].map { $0.running && !$0.reused } == true }
    }

    public func adopt(_ handle: ContainerHandle, onExit: @escaping @Sendable (ContainerExit) -> Void) -> Adoption {
        state.withLock { state in
            guard let process = state.processes[handle.pid], process.handle.run == handle.run, !process.discarded
            else { return .lost(reason: "its run record is gone") }
            if process.reused { return .lost(reason: "its pid \(handle.pid) now belongs to another process") }
            if process.running {
                state.processes[handle.pid]?.onExit = onExit
                return .running
            }
            if let exit = process.exit { return .ended(exit, at: nil) }
            return .lost(reason: "process \(handle.pid) ended while floed was down and its monitor left no exit status")
        }
    }

    public func leftRuns() -> [LeftRun] {
        state.withLock { state in
            state.processes.values.filter { !$0.discarded }.sorted { $0.handle.pid < $1.handle.pid }.map { process in
                let run = ContainerRun(
                    id: process.handle.run ?? "", object: process.launch.service, instanceID: process.launch.instanceID,
                    container: process.launch.containerName, requestedAt: process.requestedAt,
                    monitorPID: process.handle.monitorPID, containerPID: process.handle.pid, exit: process.exit,
                    instance: process.launch.instance)
                return LeftRun(run: run, handle: process.running && !process.reused ? process.handle : nil)
            }
        }
    }

    public func discardRuns(_ ids: Set<String>) {
        for id in ids { discardRun(id) }
    }

    public func discardRun(_ id: String) {
        state.withLock { state in
            for (pid, process) in state.processes where process.handle.run == id {
                state.processes[pid]?.discarded = true
            }
        }
    }

    /// Ends process `pid` while no loop listens (floed is down): its exit is recorded as its monitor
    /// would, and reported to nobody.
    public func endUnwatched(pid: Int32, with exit: ContainerExit) {
        state.withLock { state in
            state.processes[pid]?.running = false
            state.processes[pid]?.exit = exit
            state.processes[pid]?.onExit = nil
        }
    }

    /// Ends process `pid` and loses its exit status (its monitor was killed too).
    public func loseExit(ofPID pid: Int32) {
        state.withLock { state in
            state.processes[pid]?.running = false
            state.processes[pid]?.exit = nil
            state.processes[pid]?.onExit = nil
        }
    }

    /// Ends process `pid` unseen and gives its pid to an unrelated process.
    public func reusePID(_ pid: Int32) {
        state.withLock { state in
            state.processes[pid]?.running = false
            state.processes[pid]?.reused = true
            state.processes[pid]?.onExit = nil
        }
    }

    private func end(_ pid: Int32, _ exit: ContainerExit) {
        let onExit: (@Sendable (ContainerExit) -> Void)? = state.withLock { state in
            guard state.processes[pid]?.running == true else { return nil }
            state.processes[pid]?.running = false
            state.processes[pid]?.exit = exit
            defer { state.processes[pid]?.onExit = nil }
            return state.processes[pid]?.onExit
        }
        onExit?(exit)
    }
}
