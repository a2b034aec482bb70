import Foundation

/// Each stage file's last good text, kept in the state directory (`STATE_DIR/stage-good/<file>`), so
/// that a file that is broken when floed starts keeps its object running on the last good version
/// (with the file's errors shown) instead of counting as removed.
struct LastGoodStore: Sendable {
    let directory: String

    /// The last good text of stage file `name`, if one was kept.
    func load(_ name: String) -> String? {
        try? String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// Keeps `text` as stage file `name`'s last good text (written to a temporary file and renamed).
    func save(_ name: String, _ text: String) {
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? Data(text.utf8).write(to: URL(fileURLWithPath: path(name)), options: .atomic)
    }

    /// Forgets stage file `name` (it was removed from the stage).
    func remove(_ name: String) {
        unlink(path(name))
    }

    private func path(_ name: String) -> String { "\(directory)/\(name)" }
}
