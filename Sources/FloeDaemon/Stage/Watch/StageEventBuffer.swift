import Synchronization

/// Stage events waiting for the reconciler. The watcher's events are appended as they come; the
/// reconciler takes all that wait at once, with consecutive changes merged into one, so that a burst
/// of N files renamed into the stage costs a few reloads and plans instead of N.
final class StageEventBuffer: Sendable {
    private struct State {
        var events: [StageEvent] = []
        var waiter: CheckedContinuation<[StageEvent]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Adds an event; wakes a waiting ``next()``.
    func append(_ event: StageEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<[StageEvent]?, Never>? in
            state.events.append(event)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: takeAll())
    }

    /// No more events will come; ``next()`` returns what still waits, then nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[StageEvent]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: takeAll())
    }

    /// Every event waiting (merged, see ``merge(_:)``), waiting for one if none does; nil once finished
    /// and empty. Call it from one task at a time.
    func next() async -> [StageEvent]? {
        if let ready = takeAll() { return ready }
        return await withCheckedContinuation { continuation in
            let ready: [StageEvent]?? = state.withLock { state in
                if !state.events.isEmpty || state.finished {
                    let events = state.events
                    state.events = []
                    return .some(events.isEmpty ? nil : Self.merge(events))
                }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func takeAll() -> [StageEvent]? {
        let events = state.withLock { state in
            defer { state.events = [] }
            return state.events
        }
        return events.isEmpty ? nil : Self.merge(events)
    }

    /// `events` with each run of consecutive ``StageEvent/changed(_:)`` merged into one (their names
    /// united); rescans and problems stay where they are, in order.
    static func merge(_ events: [StageEvent]) -> [StageEvent] {
        var merged: [StageEvent] = []
        for event in events {
            if case .changed(let names) = event, case .changed(let earlier) = merged.last {
                merged[merged.count - 1] = .changed(earlier.union(names))
            } else {
                merged.append(event)
            }
        }
        return merged
    }
}
