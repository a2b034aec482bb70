import FloeSpec
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The directories paths from spec files may point into. A path is inside a root when its real path
/// (symbolic links and `..` resolved) is the root's real path or below it.
public struct PathRoots: Sendable, Hashable {
    /// The allowed directories, as configured (absolute).
    public var roots: [String]

    public init(_ roots: [String]) {
        self.roots = roots
    }

    /// Why a path is refused.
    public struct Escape: Error, Sendable, Hashable, CustomStringConvertible {
        /// The path as resolved from the file.
        public var path: String
        /// What it really is (symbolic links resolved).
        public var realPath: String
        public var roots: [String]
        /// What the path is (e.g. "image directory").
        public var what: String

        public var description: String {
            let shown = realPath == path ? "'\(path)'" : "'\(path)' (really '\(realPath)')"
            return "\(what) \(shown) is outside the allowed roots (\(roots.joined(separator: ", "))); "
                + "move it under one of them, or add its directory to imageRoots in floed.yaml"
        }
    }

    /// Checks `path`: nil when it is inside a root, else the escape. A path that does not exist is
    /// checked as far as it exists (its missing tail cannot be a link).
    public func check(_ path: String, what: String) -> Escape? {
        let real = Self.realPath(path)
        for root in roots {
            let realRoot = Self.realPath(root)
            if real == realRoot || real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") { return nil }
        }
        return Escape(path: path, realPath: real, roots: roots, what: what)
    }

    /// `realpath(3)` of `path`; for a path that does not (fully) exist, the real path of its longest
    /// existing prefix followed by the rest, with `.` and `..` removed.
    public static func realPath(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let standard = (path as NSString).standardizingPath
        if let resolved = realpath(standard, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let parent = (standard as NSString).deletingLastPathComponent
        guard parent != standard, !parent.isEmpty else { return standard }
        let last = (standard as NSString).lastPathComponent
        let base = realPath(parent)
        return base == "/" ? "/" + last : base + "/" + last
    }
}

extension PathRoots {
    /// The errors of a read stage file whose paths leave the roots: an `image:` file's `directory`,
    /// at the line and column of the value.
    func problems(in file: StageFile) -> [Diagnostic] {
        guard case .image(let image) = file.object, let escape = check(image.directory, what: "image directory")
        else { return [] }
        let position = file.positions["image.directory"] ?? .start
        return [
            Diagnostic(
                .error, file: file.path, line: position.line, column: position.column, message: escape.description)
        ]
    }
}
