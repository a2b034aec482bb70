import FloeRuntime
import NIOCore
import Synchronization

/// A prober that answers from a script: each call takes the next answer for its port (the last
/// one repeats); `nil` leaves the probe unanswered until ``answerHeld(_:)``.
public final class ScriptedProber: Prober {
    /// One probe asked for: its port and when.
    public struct Call: Sendable {
        public var port: Int
        public var at: NIODeadline
    }

    private struct State {
        var scripts: [Int: [ProbeResult?]] = [:]
        var calls: [Call] = []
        var held: [EventLoopPromise<ProbeResult>] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the answers for `port`, in order (the last one repeats; nil holds the probe unanswered).
    public func script(_ port: Int, _ answers: [ProbeResult?]) {
        state.withLock { $0.scripts[port] = answers }
    }

    /// Every probe asked for so far.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// Answers every held probe with `result`.
    public func answerHeld(_ result: ProbeResult) {
        let held = state.withLock { state in
            defer { state.held = [] }
            return state.held
        }
        for promise in held { promise.succeed(result) }
    }

    public func probe(
        _ request: ProbeRequest, over connection: ProbeConnection?, on loop: any EventLoop
    ) -> EventLoopFuture<ProbeAnswer> {
        let promise = loop.makePromise(of: ProbeResult.self)
        let port = request.port
        let answer: ProbeResult?? = state.withLock { state in
            state.calls.append(Call(port: port, at: loop.now))
            guard var script = state.scripts[port], !script.isEmpty else { return .some(.success) }
            let next = script.count > 1 ? script.removeFirst() : script[0]
            state.scripts[port] = script
            if next == nil { state.held.append(promise) }
            return .some(next)
        }
        if case .some(.some(let result)) = answer { promise.succeed(result) }
        return promise.futureResult.map { ProbeAnswer(result: $0) }
    }
}
