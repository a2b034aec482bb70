import FloeCore
import Foundation
import Logging

/// Keeps the world (instance records, restart counts, job history) in the state directory
/// (`<state>/reconciler/world.json`, written crash-safe by ``StateDirectory``), so that floed
/// continues from it after a restart.
struct WorldStore: Sendable {
    let directory: StateDirectory
    static let key = StateKey(folder: "reconciler", name: "world")

    init(stateDirectory: String) throws {
        directory = try StateDirectory(root: stateDirectory)
    }

    /// The saved world; nil when there is none, or when it was unreadable (then it is moved aside
    /// and the error logged: floed starts afresh rather than not at all).
    func load(logger: Logger) -> World? {
        do {
            return try directory.load(World.self, key: Self.key)
        } catch {
            logger.error("state: \(error); starting with no instance records")
            return nil
        }
    }

    func save(_ world: World, logger: Logger) {
        do {
            try directory.save(world, as: Self.key)
        } catch {
            logger.error("could not save state: \(error)")
        }
    }
}
