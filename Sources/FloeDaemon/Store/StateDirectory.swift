import Foundation
import Glibc
import SystemPackage

/// A small crash-safe store of Codable documents: one JSON file per ``StateKey``, at
/// `<root>/<folder>/<name>.json`, written with ``AtomicFile`` (mode 0600, folders 0700).
///
/// A document that does not decode is moved aside to `<name>.json.corrupt-<UTC time>` and reported with
/// ``StateDirectoryError/corrupt(_:movedTo:reason:)``: never a crash, never silently lost.
/// Calls are synchronous and may be made from any thread; concurrent saves of one key leave one of them whole.
public struct StateDirectory: Sendable {
    /// The store's root directory.
    public let root: String

    /// Opens the store at `root`, creating it (and missing parents) with mode 0700. An existing directory is
    /// used as it is.
    public init(root: String) throws(StateDirectoryError) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        try Self.makeDirectory(self.root)
    }

    /// The file that holds `key`.
    public func path(for key: StateKey) -> String {
        "\(root)/\(key.folder)/\(key.name).json"
    }

    /// Saves `value` as JSON under `key`, replacing what was there.
    public func save<T: Encodable>(_ value: T, as key: StateKey) throws(StateDirectoryError) {
        try check(key)
        let data: Data
        do {
            data = try Self.encoder.encode(value)
        } catch {
            throw .cannotEncode(key, reason: String(describing: error))
        }
        try Self.makeDirectory("\(root)/\(key.folder)")
        do {
            try AtomicFile.write(data, to: path(for: key), mode: 0o600)
        } catch {
            throw .cannotWrite(key, error)
        }
    }

    /// Loads the document under `key`; nil when there is none.
    ///
    /// - Throws: ``StateDirectoryError/corrupt(_:movedTo:reason:)`` when the file does not decode as `T` (it
    ///   has been moved aside, so the next load returns nil); ``StateDirectoryError/cannotRead(_:path:errno:)``
    ///   when it cannot be read (it is left in place).
    public func load<T: Decodable>(_ type: T.Type, key: StateKey) throws(StateDirectoryError) -> T? {
        try check(key)
        let file = path(for: key)
        let bytes: [UInt8]
        switch Self.readAll(file) {
        case .success(nil): return nil
        case .success(let read?): bytes = read
        case .failure(let error): throw .cannotRead(key, path: file, errno: error.rawValue)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            let reason = bytes.isEmpty ? "the file is empty" : Self.describe(error)
            throw .corrupt(key, movedTo: moveAside(file), reason: reason)
        }
    }

    /// Removes the document under `key`; removing a missing one is not an error.
    public func remove(key: StateKey) throws(StateDirectoryError) {
        try check(key)
        let file = path(for: key)
        guard unlink(file) == 0 else {
            if errno == ENOENT { return }
            throw .cannotRemove(key, path: file, errno: errno)
        }
        do {
            try AtomicFile.syncDirectory("\(root)/\(key.folder)", for: file)
        } catch {
            throw .cannotRemove(key, path: file, errno: error.errno)
        }
    }

    /// The keys stored in `folder`, sorted by name; empty when the folder does not exist. Files moved aside as
    /// corrupt, temporary files and names that are not valid keys are left out.
    public func keys(in folder: String) throws(StateDirectoryError) -> [StateKey] {
        if let problem = StateKey.problem(with: folder) {
            throw .invalidKey(StateKey(folder: folder, name: ""), reason: "folder '\(folder)': \(problem)")
        }
        let directory = "\(root)/\(folder)"
        guard let stream = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw .cannotList(folder: folder, path: directory, errno: errno)
        }
        defer { closedir(stream) }
        var keys: [StateKey] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(validating: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let name, name.hasSuffix(".json") else { continue }
            let key = StateKey(folder: folder, name: String(name.dropLast(".json".count)))
            if key.problem == nil { keys.append(key) }
        }
        return keys.sorted()
    }

    // MARK: Helpers

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    private func check(_ key: StateKey) throws(StateDirectoryError) {
        if let problem = key.problem { throw .invalidKey(key, reason: problem) }
    }

    /// Creates `path` and missing parents with mode 0700.
    private static func makeDirectory(_ path: String) throws(StateDirectoryError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .cannotCreateDirectory(path: path, errno: ENOTDIR) }
            return
        }
        let (parent, _) = AtomicFile.split(path)
        if parent != path, parent != "/", parent != "." { try makeDirectory(parent) }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw .cannotCreateDirectory(path: path, errno: errno)
        }
        _ = chmod(path, 0o700)
    }

    /// The whole content of `path`; nil when it does not exist; the errno when it cannot be read.
    private static func readAll(_ path: String) -> Result<[UInt8]?, Errno> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? .success(nil) : .failure(Errno(rawValue: errno)) }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(rawValue: errno))
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Renames a corrupt file to `<file>.corrupt-<UTC time>` (never over an existing file); returns the new
    /// path, or nil when it could not be moved.
    private func moveAside(_ file: String) -> String? {
        let base = "\(file).corrupt-\(Self.timestamp())"
        for attempt in 1...100 {
            let target = attempt == 1 ? base : "\(base)-\(attempt)"
            guard access(target, F_OK) != 0 else { continue }
            guard rename(file, target) == 0 else { return nil }
            let (directory, _) = AtomicFile.split(file)
            try? AtomicFile.syncDirectory(directory, for: file)
            return target
        }
        return nil
    }

    /// The current UTC time as `20261124T202301.123Z`.
    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let milliseconds = Int32(now.tv_nsec / 1_000_000)
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "." + pad(milliseconds, 3) + "Z"
    }

    /// A short, readable reason for a decoding error.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .dataCorrupted(let context):
            return "not valid JSON: \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(Self.path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(context.debugDescription) at \(Self.path(context))"
        @unknown default:
            return String(describing: error)
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? "the top level" : path
    }
}
