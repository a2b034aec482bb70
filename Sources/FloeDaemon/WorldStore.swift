import FloeCore
import Foundation
import Logging

/// Keeps the world (instance records, restart counts, job history) in the state directory, so
/// that floed continues from it after a restart. Writes are crash-safe (temp file, fsync, rename).
struct WorldStore: Sendable {
    let path: String

    init(stateDirectory: String) throws {
        try FileManager.default.createDirectory(
            atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = "\(stateDirectory)/world.json"
    }

    func load(logger: Logger) -> World? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(World.self, from: data)
        } catch {
            let aside = "\(path).corrupt-\(Int(Date().timeIntervalSince1970))"
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            logger.error("state file \(path) is unreadable (\(error)); moved aside to \(aside), starting afresh")
            return nil
        }
    }

    func save(_ world: World, logger: Logger) {
        do {
            let data = try JSONEncoder().encode(world)
            try AtomicFile.write(Array(data), to: path)
        } catch {
            logger.error("could not save state to \(path): \(error)")
        }
    }
}
