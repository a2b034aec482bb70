import FloeCore
import FloeRuntime
import FloeSpec
import Synchronization

/// A container runtime that runs nothing: starts hand out made-up pids, and a test decides when and
/// how each "process" ends (``exit(_:_:_:with:)``). ``stop(_:grace:)`` ends the process with SIGTERM at
/// once unless told otherwise, as a process that honours SIGTERM would.
///
/// Starts can be scripted to fail (``failStarts(of:with:)``) or held until the test lets them go
/// (``holdStarts()`` / ``releaseStarts()``), to put events in the order a race would.
public final class FakeContainerRuntime: ContainerRuntime {
    /// One container the fake "runs" (or ran).
    public struct Process: Sendable {
        public var launch: ContainerLaunch
        public var handle: ContainerHandle
        public var running: Bool
        /// How many times ``stop(_:grace:)`` was called for it.
        public var stops: Int
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
            let handle = ContainerHandle(pid: state.nextPID, processGroup: state.nextPID, startTicks: 1)
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
        state.withLock { $0.processes[handle.pid]?.running == true }
    }

    private func end(_ pid: Int32, _ exit: ContainerExit) {
        let onExit: (@Sendable (ContainerExit) -> Void)? = state.withLock { state in
            guard state.processes[pid]?.running == true else { return nil }
            state.processes[pid]?.running = false
            defer { state.processes[pid]?.onExit = nil }
            return state.processes[pid]?.onExit
        }
        onExit?(exit)
    }
}
