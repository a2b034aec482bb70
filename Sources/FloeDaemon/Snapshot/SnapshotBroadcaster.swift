import FloeCore
import Foundation
import Synchronization

/// Holds the latest ``WorldSnapshot`` and wakes whoever waits for a newer one (as Nomad's alloc
/// broadcaster): the loop publishes, the query side reads and waits, from any task, without the loop.
final class SnapshotBroadcaster: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Void, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var current: WorldSnapshot
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>
    private let clock: any FloeClock

    init(initial: WorldSnapshot, clock: any FloeClock) {
        self.state = Mutex(State(current: initial))
        self.clock = clock
    }

    /// The latest snapshot.
    var current: WorldSnapshot { state.withLock { $0.current } }

    /// Publishes `snapshot` and wakes every waiter.
    func publish(_ snapshot: WorldSnapshot) {
        let waiters = state.withLock { state in
            state.current = snapshot
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Waits until a snapshot newer than generation `seen` is published, `timeout` passes, or the task
    /// is cancelled.
    func waitForChange(after seen: Int, timeout: Duration) async {
        await waitForChange(after: seen, until: clock.now.addingTimeInterval(timeout.seconds))
    }

    /// Waits until a snapshot newer than generation `seen` is published, the clock reaches `deadline`,
    /// or the task is cancelled.
    func waitForChange(after seen: Int, until deadline: Date) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    guard state.current.generation == seen, !Task.isCancelled else { return false }
                    state.waiters[id] = Waiter(continuation: continuation, timer: nil)
                    return true
                }
                guard waiting else {
                    continuation.resume()
                    return
                }
                let clock = self.clock
                let timer = Task { [weak self] in
                    try? await clock.sleep(until: deadline)
                    guard !Task.isCancelled else { return }
                    self?.resume(id)
                }
                let resumed = state.withLock { state in
                    guard state.waiters[id] != nil else { return true }
                    state.waiters[id]?.timer = timer
                    return false
                }
                if resumed { timer.cancel() }
            }
        } onCancel: {
            resume(id)
        }
    }

    private func resume(_ id: Int) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume()
    }

    /// How many tasks wait for a change now.
    var waiterCount: Int { state.withLock { $0.waiters.count } }
}
