import Synchronization

/// An unbounded queue that hands its consumer everything waiting at once: a burst of events (N files
/// renamed into the stage, N processes started) is taken as one batch and ends in one plan.
final class EventQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiter: CheckedContinuation<[Element]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    private enum SendOutcome {
        case dropped
        case queued
        case handed(CheckedContinuation<[Element]?, Never>)
    }

    /// Adds an element; false when the queue was finished (the element is dropped).
    @discardableResult
    func send(_ element: Element) -> Bool {
        let outcome: SendOutcome = state.withLock { state in
            if state.finished { return .dropped }
            if let waiter = state.waiter {
                // A waiter only waits while nothing is queued: the element goes to it alone.
                state.waiter = nil
                return .handed(waiter)
            }
            state.items.append(element)
            return .queued
        }
        switch outcome {
        case .dropped: return false
        case .queued: return true
        case .handed(let waiter):
            waiter.resume(returning: [element])
            return true
        }
    }

    /// Everything waiting, after waiting for at least one element; nil once the queue is finished or
    /// the task is cancelled. One consumer at a time.
    func next() async -> [Element]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Element]?, Never>) in
                let ready: [Element]?? = state.withLock { state in
                    if !state.items.isEmpty {
                        defer { state.items = [] }
                        return .some(state.items)
                    }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if case .some(let batch) = ready { continuation.resume(returning: batch) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Ends the queue: the consumer's ``next()`` answers nil; returns what was left unconsumed.
    @discardableResult
    func finish() -> [Element] {
        let (waiter, left) = state.withLock { state in
            state.finished = true
            defer {
                state.waiter = nil
                state.items = []
            }
            return (state.waiter, state.items)
        }
        waiter?.resume(returning: nil)
        return left
    }
}
