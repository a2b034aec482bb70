/// The identity and version of one stage file, from `stat(2)` (symbolic links followed).
///
/// Two stats that differ mean the file may have changed; equal stats mean it almost certainly did not.
public struct StageFileStat: Sendable, Hashable {
    /// Size in bytes.
    public var size: Int64
    /// Last content change (`st_mtim`), since the Unix epoch.
    public var modificationTime: Duration
    /// Last status change (`st_ctim`: content, mode, owner or links), since the Unix epoch.
    public var statusChangeTime: Duration
    /// The inode number; a new inode means the file was replaced (renamed into place).
    public var inode: UInt64
    /// The device holding the inode.
    public var device: UInt64

    public init(size: Int64, modificationTime: Duration, statusChangeTime: Duration, inode: UInt64, device: UInt64) {
        self.size = size
        self.modificationTime = modificationTime
        self.statusChangeTime = statusChangeTime
        self.inode = inode
        self.device = device
    }

    /// True when `other` has the same content identity (inode, size, modification time), ignoring
    /// mode, owner and link changes.
    public func hasSameContentIdentity(as other: StageFileStat) -> Bool {
        inode == other.inode && device == other.device && size == other.size
            && modificationTime == other.modificationTime
    }
}
