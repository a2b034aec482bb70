import FloeCore
import Foundation

/// Keeps the world (instance records, restart counts, job history) in the state directory
/// (`<state>/reconciler/world.json`, written crash-safe by ``StateDirectory``), so that floed
/// continues from it after a restart.
struct FileWorldStore: WorldStore {
    let directory: StateDirectory
    static let key = StateKey(folder: "reconciler", name: "world")

    init(stateDirectory: String) throws {
        directory = try StateDirectory(root: stateDirectory)
    }

    /// The saved world; nil when there is none. An unreadable one is moved aside and the error thrown
    /// (floed then starts afresh rather than not at all).
    func load() throws -> World? {
        try directory.load(World.self, key: Self.key)
    }

    func save(_ world: World) throws {
        try directory.save(world, as: Self.key)
    }
}
