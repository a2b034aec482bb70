import FloeCore
import FloeRuntime
import Synchronization

/// Carries out the loop's decisions for one instance, in the order they were made: start, restart,
/// stop, release and forget, each running the hooks around the runtime call. Reports what happened
/// to the loop as events (started, failed to start, exited, network attached, retired).
///
/// Operations of one runner run one after another (a chain of tasks), so an exit is always reported
/// after the start that caused it, and a stop asked for during a start stops what the start made: the
/// loop keeps no bookkeeping of exits that overtake starts. Stops are not waited for in the chain: the
/// exit, when it comes, is reported like any other.
final class InstanceRunner: Sendable {
    let key: InstanceKey
    /// Tells this runner's reports from those of an earlier runner of the same instance key.
    let id: Int
    private let runtime: any ContainerRuntime
    private let hooks: [any InstanceHook]
    private let report: @Sendable (LoopEvent) -> Void

    private struct State {
        var handles: [String: ContainerHandle] = [:]
        var tail: Task<Void, Never>?
        /// Operations queued so far (the last one clears `tail` when it ends).
        var operations = 0
        var released = false
        var retired = false
        var address: String?
    }

    private let state: Mutex<State>

    /// A runner whose first operation waits for `after` (the last operation of the runner this one
    /// replaces, for the same instance key: its network is detached before this one attaches).
    init(
        key: InstanceKey, id: Int, runtime: any ContainerRuntime, hooks: [any InstanceHook],
        after: Task<Void, Never>? = nil, report: @escaping @Sendable (LoopEvent) -> Void
    ) {
        self.key = key
        self.id = id
        self.runtime = runtime
        self.hooks = hooks
        self.report = report
        self.state = Mutex(State(tail: after))
    }

    /// The last operation queued while it runs (done when everything asked so far is done); nil once
    /// every operation has ended.
    var tail: Task<Void, Never>? { state.withLock { $0.tail } }

    /// Whether ``release()`` was asked for.
    var isReleased: Bool { state.withLock { $0.released } }

    // MARK: Operations

    /// Starts a container: the hooks' prestart in order, the runtime, then the hooks' poststart.
    func start(_ start: ContainerStart) {
        enqueue { await self.run(start) }
    }

    /// Takes back a container a previous floed started (`start` as ``InstanceHook/adopted(_:instance:handle:)``
    /// describes it): asks the runtime to watch it, and reports what it found (``LoopEvent/adopted``).
    func adopt(_ start: ContainerStart, handle: ContainerHandle) {
        enqueue { await self.takeBack(start, handle: handle) }
    }

    /// Stops a container so that the loop starts it again (a failed liveness probe).
    func restart(_ container: String, grace: Duration) {
        enqueue { await self.stopContainer(container, grace: grace) }
    }

    /// Stops every container of the instance.
    func stop(grace: Duration) {
        enqueue {
            for name in self.state.withLock({ $0.handles.keys.sorted() }) {
                await self.stopContainer(name, grace: grace)
            }
        }
    }

    /// The instance will start nothing more: the hooks release what it holds.
    func release() {
        guard
            state.withLock({ state in
                defer { state.released = true }
                return !state.released
            })
        else { return }
        enqueue {
            for hook in self.hooks { await hook.released(self.key) }
        }
    }

    /// The instance is gone: stops what may still run (nothing, normally), releases, lets the hooks
    /// remove what it left, and reports the runner retired.
    func forget() {
        release()
        enqueue {
            for name in self.state.withLock({ $0.handles.keys.sorted() }) {
                await self.stopContainer(name, grace: .seconds(5))
            }
            for hook in self.hooks { await hook.forgotten(self.key) }
            self.state.withLock { $0.retired = true }
            self.report(.runnerRetired(self.key, runner: self.id))
        }
    }

    // MARK: Steps

    /// Queues `operation` behind the last one. The last operation lets go of itself when it ends: a
    /// finished task keeps its stack slabs and task-local copies until it is released, which is a few
    /// KiB for every idle instance if the runner holds on to it.
    private func enqueue(_ operation: @escaping @Sendable () async -> Void) {
        state.withLock { state in
            let previous = state.tail
            state.operations += 1
            let number = state.operations
            state.tail = Task {
                await previous?.value
                await operation()
                self.state.withLock { state in
                    if state.operations == number { state.tail = nil }
                }
            }
        }
    }

    private func run(_ request: ContainerStart) async {
        // A start after a release (a job replica run again by its retries) holds things again.
        state.withLock { $0.released = false }
        var start = request
        let ref = ContainerRef(key, start.container.name)
        for hook in hooks {
            do throws(HookFailure) {
                try await hook.prestart(&start, instance: key)
            } catch {
                report(.failedToStart(ref, reason: error.message, runner: id))
                return
            }
        }
        if let address = start.address, state.withLock({ $0.address }) != address {
            state.withLock { $0.address = address }
            report(.networkAttached(key, address: address, runner: id))
        }
        let handle: ContainerHandle
        do throws(ContainerStartError) {
            handle = try await runtime.start(start.launch) { exit in
                // Queued behind this start: the exit is handled once the start is recorded.
                self.enqueue { await self.ended(ref.container, exit) }
            }
        } catch {
            let reason: String
            switch error {
            case .executableNotFound, .workingDirectoryMissing: reason = "Failed to pull image: \(error)"
            case .spawnFailed: reason = "Encountered fatal error, retrying: \(error)"
            }
            report(.failedToStart(ref, reason: reason, runner: id))
            return
        }
        state.withLock { $0.handles[ref.container] = handle }
        report(.started(ref, handle, runner: id))
        for hook in hooks { await hook.poststart(start, instance: key, handle: handle) }
    }

    private func takeBack(_ start: ContainerStart, handle: ContainerHandle) async {
        let ref = ContainerRef(key, start.container.name)
        let adoption = runtime.adopt(handle) { exit in
            // Queued behind this adoption, as an exit is behind its start.
            self.enqueue { await self.ended(ref.container, exit) }
        }
        if case .running = adoption {
            state.withLock { state in
                state.handles[ref.container] = handle
                if let address = start.address { state.address = address }
            }
        }
        report(.adopted(ref, handle, adoption, runner: id))
        if case .running = adoption {
            for hook in hooks { await hook.adopted(start, instance: key, handle: handle) }
        }
    }

    private func stopContainer(_ name: String, grace: Duration) async {
        guard let handle = state.withLock({ $0.handles[name] }) else { return }
        for hook in hooks { await hook.stopped(ContainerRef(key, name)) }
        let runtime = self.runtime
        Task { await runtime.stop(handle, grace: grace) }
    }

    private func ended(_ name: String, _ exit: ContainerExit) async {
        let (handle, retired) = state.withLock { ($0.handles.removeValue(forKey: name), $0.retired) }
        // After a runner retired, a runner of the same key may run the same container: its hooks'
        // state (probes, watched logs) is that one's now.
        guard let handle, !retired else { return }
        let ref = ContainerRef(key, name)
        for hook in hooks { await hook.stopped(ref) }
        report(.exited(ref, exit, pid: handle.pid, runner: id))
    }
}
