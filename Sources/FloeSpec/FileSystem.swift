import Foundation

/// The file-system access FloeSpec needs, in one place.
enum FileSystem {
    enum ReadError: Error {
        case unreadable(String)
        case tooLarge(Int)
    }

    /// The bytes of the file at `path`, refusing (without reading them) files over `limit` bytes.
    static func read(_ path: String, limit: Int) -> Result<[UInt8], ReadError> {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(.unreadable("no such file"))
        }
        if isDirectory.boolValue { return .failure(.unreadable("it is a directory")) }
        if let size = (try? manager.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > limit {
            return .failure(.tooLarge(size.intValue))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(.unreadable("permission denied or not a regular file"))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            if data.count > limit { return .failure(.tooLarge(data.count)) }
            return .success([UInt8](data))
        } catch {
            return .failure(.unreadable("\(error)"))
        }
    }

    /// The names in `directory`, or an error saying why it cannot be listed.
    static func list(_ directory: String) -> Result<[String], ReadError> {
        do {
            return .success(try FileManager.default.contentsOfDirectory(atPath: directory))
        } catch {
            return .failure(.unreadable("\(error.localizedDescription)"))
        }
    }

    /// True when `path` names a directory.
    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func currentDirectory() -> String {
        FileManager.default.currentDirectoryPath
    }
}
