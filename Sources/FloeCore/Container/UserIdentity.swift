/// A Unix user and group to run processes as.
public struct UserIdentity: Sendable, Hashable, Codable {
    public var uid: UInt32
    public var gid: UInt32
    /// The supplementary groups (what `initgroups(3)` would set: the user's groups in the group
    /// database, primary group included). Empty: just `gid`.
    public var groups: [UInt32]
    public init(uid: UInt32, gid: UInt32, groups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}
