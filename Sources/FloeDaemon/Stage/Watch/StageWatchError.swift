/// Why a ``StageWatcher`` cannot watch its directory (fully), and what to do about it.
public struct StageWatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// The directory is missing, not a directory, or not readable: nothing can be listed.
        case directoryUnavailable
        /// inotify could not be used; the watcher falls back to periodic scans, so changes arrive late.
        case notificationsUnavailable
    }

    /// What is wrong.
    public var kind: Kind
    /// The stage directory.
    public var path: String
    /// The `errno` value of the failing call.
    public var errno: Int32
    /// The full message, saying what the user should do.
    public var message: String

    public init(kind: Kind, path: String, errno: Int32, message: String) {
        self.kind = kind
        self.path = path
        self.errno = errno
        self.message = message
    }

    public var description: String { message }
}
