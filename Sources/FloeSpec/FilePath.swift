/// Small, platform-neutral path arithmetic for stage files (no file-system access).
enum FilePath {
    /// The directory part of `path` (`.` when it has none).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path`.
    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `path` made absolute against `base` (itself made absolute against `cwd`) and normalised
    /// (no `.`, `..` or repeated `/`).
    static func resolve(_ path: String, against base: String, cwd: String = currentDirectory()) -> String {
        let absoluteBase = base.hasPrefix("/") ? base : cwd + "/" + base
        let joined = path.hasPrefix("/") ? path : absoluteBase + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func currentDirectory() -> String {
        FileSystem.currentDirectory()
    }
}
