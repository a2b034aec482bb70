import FloeNetwork
import Synchronization

/// An instance network that isolates instances without touching the system: each attach hands out
/// the next address of 10.99.0.0/16 and a namespace name; every call is recorded, in order.
public final class RecordingInstanceNetwork: InstanceNetwork {
    /// One call made to the network.
    public enum Call: Sendable, Hashable {
        case prepare
        case attach(InstanceNetworkID)
        case detach(InstanceNetworkID)
        case publish([ServiceRoute])
        case shutdown
    }

    private struct State {
        var calls: [Call] = []
        var attached: [InstanceNetworkID: InstanceAttachment] = [:]
        var next = 1
        var failAttach: NetworkError?
    }

    private let state = Mutex(State())

    public init() {}

    public var isolatesInstances: Bool { true }

    /// Every call so far.
    public var calls: [Call] { state.withLock { $0.calls } }
    /// The instances attached now.
    public var attached: Set<InstanceNetworkID> { state.withLock { Set($0.attached.keys) } }
    /// The routes of the last publication.
    public var lastPublished: [ServiceRoute]? {
        state.withLock { state in
            state.calls.reversed().lazy.compactMap { call -> [ServiceRoute]? in
                if case .publish(let routes) = call { return routes }
                return nil
            }.first
        }
    }

    /// Makes every attach fail with `error` (nil: attaches succeed again).
    public func failAttaches(with error: NetworkError?) {
        state.withLock { $0.failAttach = error }
    }

    public func prepare() async throws(NetworkError) {
        state.withLock { $0.calls.append(.prepare) }
    }

    public func attach(_ id: InstanceNetworkID) async throws(NetworkError) -> InstanceAttachment {
        let result: Result<InstanceAttachment, NetworkError> = state.withLock { state in
            state.calls.append(.attach(id))
            if let error = state.failAttach { return .failure(error) }
            if let existing = state.attached[id] { return .success(existing) }
            let n = state.next
            state.next += 1
            let attachment = InstanceAttachment(
                address: "10.99.\(n / 250).\(n % 250 + 2)", namespace: "floe-test-\(n)")
            state.attached[id] = attachment
            return .success(attachment)
        }
        return try result.get()
    }

    public func detach(_ id: InstanceNetworkID) async {
        state.withLock { state in
            state.calls.append(.detach(id))
            state.attached[id] = nil
        }
    }

    public func publish(_ routes: [ServiceRoute]) async throws(NetworkError) {
        state.withLock { $0.calls.append(.publish(routes)) }
    }

    public func shutdown() async {
        state.withLock { $0.calls.append(.shutdown) }
    }
}
