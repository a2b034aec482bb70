#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `stat(2)` says about a path, as far as the stage guard cares.
public struct FileStatus: Sendable, Hashable {
    public var ownerID: UInt32
    public var groupID: UInt32
    /// Permission bits including set-user-ID, set-group-ID and sticky (`st_mode & 0o7777`).
    public var permissions: UInt32
    public var isDirectory: Bool

    public init(ownerID: UInt32, groupID: UInt32, permissions: UInt32, isDirectory: Bool) {
        self.ownerID = ownerID
        self.groupID = groupID
        self.permissions = permissions & 0o7777
        self.isDirectory = isDirectory
    }

    /// Writable by the file's group.
    public var isGroupWritable: Bool { permissions & 0o020 != 0 }
    /// Writable by everyone.
    public var isOtherWritable: Bool { permissions & 0o002 != 0 }
    /// The sticky bit: in a directory, only an entry's owner may rename or remove it.
    public var isSticky: Bool { permissions & 0o1000 != 0 }

    /// Stats `path`, following symbolic links (what matters is the file floed will read).
    /// Returns the `errno` on failure.
    public static func of(path: String) -> Result<FileStatus, StatError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(StatError(errno: errno)) }
        return .success(
            FileStatus(
                ownerID: UInt32(info.st_uid), groupID: UInt32(info.st_gid), permissions: UInt32(info.st_mode),
                isDirectory: (UInt32(info.st_mode) & UInt32(S_IFMT)) == UInt32(S_IFDIR)))
    }

    /// A failed `stat(2)`.
    public struct StatError: Error, Sendable, Hashable, CustomStringConvertible {
        public var errno: Int32
        public var description: String { String(cString: strerror(errno)) }
    }
}
