/// The name of one document in a ``StateDirectory``: a folder and a name, written `folder/name`
/// (`objects/MY_SERVICE`, `jobs/NEWS_JOB`, `instances/MY_SERVICE`). Stored as `<root>/<folder>/<name>.json`.
///
/// Both parts are 1...200 characters from `A-Z a-z 0-9 _ $ . -`, not starting with `.`; keys that break this
/// are refused by the store with ``StateDirectoryError/invalidKey(_:reason:)``.
public struct StateKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The subfolder, e.g. `objects`.
    public var folder: String
    /// The document's name in the folder, e.g. `MY_SERVICE`.
    public var name: String

    public init(folder: String, name: String) {
        self.folder = folder
        self.name = name
    }

    /// Parses `folder/name`; nil when there is not exactly one `/`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        self.init(folder: String(parts[0]), name: String(parts[1]))
    }

    public var description: String { "\(folder)/\(name)" }

    public static func < (lhs: StateKey, rhs: StateKey) -> Bool {
        (lhs.folder, lhs.name) < (rhs.folder, rhs.name)
    }

    /// Why this part of a key cannot name a file, or nil when it can.
    static func problem(with part: String) -> String? {
        if part.isEmpty { return "it is empty" }
        if part.utf8.count > 200 { return "it is longer than 200 bytes" }
        if part.hasPrefix(".") { return "it starts with '.'" }
        let allowed = part.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                || "_$.-".unicodeScalars.contains(c)
        }
        return allowed ? nil : "only letters, digits, '_', '$', '.' and '-' are allowed"
    }

    /// Why the key cannot be stored, or nil when it can.
    var problem: String? {
        if let problem = Self.problem(with: folder) { return "folder '\(folder)': \(problem)" }
        if let problem = Self.problem(with: name) { return "name '\(name)': \(problem)" }
        return nil
    }
}
