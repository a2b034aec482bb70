import FloeCore
import Synchronization

/// A world store in memory: what was saved last, and how many saves there were.
public final class InMemoryWorldStore: WorldStore {
    private let state: Mutex<(world: World?, saves: Int)>

    /// A store holding `world` (nothing by default), as a previous floed would have left it.
    public init(world: World? = nil) {
        state = Mutex((world, 0))
    }

    public func load() throws -> World? { state.withLock { $0.world } }

    public func save(_ world: World) throws {
        state.withLock { state in
            state.world = world
            state.saves += 1
        }
    }

    /// What was saved last.
    public var saved: World? { state.withLock { $0.world } }
    /// How many times the world was saved.
    public var saveCount: Int { state.withLock { $0.saves } }
}
