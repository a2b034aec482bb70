import Glibc
import SystemPackage

/// Why ``AtomicFile/write(_:to:mode:)-([UInt8],_,_)`` failed: the file, the step and the system's reason.
public struct AtomicFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The step of an atomic write.
    public enum Step: String, Sendable, Hashable {
        case createTemporary = "create a temporary file beside"
        case write = "write"
        case sync = "fsync"
        case rename = "rename the temporary file over"
        case syncDirectory = "fsync the directory of"
    }

    /// The file that was to be written.
    public var path: String
    /// The step that failed.
    public var step: Step
    /// The `errno` value.
    public var errno: Int32

    public init(path: String, step: Step, errno: Int32) {
        self.path = path
        self.step = step
        self.errno = errno
    }

    public var description: String {
        let reason = Errno(rawValue: errno).description
        let advice: String
        switch errno {
        case ENOSPC, EDQUOT: advice = "free some disk space"
        case EACCES, EPERM, EROFS: advice = "make its directory writable for floed"
        case ENOENT, ENOTDIR: advice = "create its directory"
        default: advice = "check the file system"
        }
        return "could not \(step.rawValue) \(path): \(reason); \(advice)"
    }
}
