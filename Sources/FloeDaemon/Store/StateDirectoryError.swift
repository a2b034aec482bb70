import Glibc
import SystemPackage

/// Why a ``StateDirectory`` operation failed, with what to do about it.
public enum StateDirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key cannot name a file.
    case invalidKey(StateKey, reason: String)
    /// A directory of the store could not be created.
    case cannotCreateDirectory(path: String, errno: Int32)
    /// The value could not be encoded as JSON.
    case cannotEncode(StateKey, reason: String)
    /// The document could not be written.
    case cannotWrite(StateKey, AtomicFileError)
    /// The document exists but could not be read.
    case cannotRead(StateKey, path: String, errno: Int32)
    /// The document did not decode; it was moved aside to `movedTo` (nil when even that failed) and the key is
    /// now empty.
    case corrupt(StateKey, movedTo: String?, reason: String)
    /// The document could not be removed.
    case cannotRemove(StateKey, path: String, errno: Int32)
    /// A folder could not be listed.
    case cannotList(folder: String, path: String, errno: Int32)

    public var description: String {
        func text(_ code: Int32) -> String { Errno(rawValue: code).description }
        switch self {
        case .invalidKey(let key, let reason):
            return "state key '\(key)' is not usable: \(reason)"
        case .cannotCreateDirectory(let path, let code):
            return "could not create state directory \(path): \(text(code)); make its parent writable for floed"
        case .cannotEncode(let key, let reason):
            return "could not encode state '\(key)' as JSON: \(reason)"
        case .cannotWrite(let key, let error):
            return "could not save state '\(key)': \(error)"
        case .cannotRead(let key, let path, let code):
            return "could not read state '\(key)' from \(path): \(text(code)); check its permissions"
        case .corrupt(let key, let movedTo, let reason):
            let aside =
                movedTo.map { "it was moved aside to \($0) for inspection" } ?? "moving it aside failed as well"
            return "state '\(key)' is corrupt (\(reason)); \(aside) and floed starts that state afresh"
        case .cannotRemove(let key, let path, let code):
            return "could not remove state '\(key)' (\(path)): \(text(code)); make its folder writable for floed"
        case .cannotList(let folder, let path, let code):
            return "could not list state folder '\(folder)' (\(path)): \(text(code)); check its permissions"
        }
    }
}
