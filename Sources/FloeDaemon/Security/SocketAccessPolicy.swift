#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Who may use the control API: root, floed's own user, and members (primary or supplementary,
/// from the group database) of the socket group.
public struct SocketAccessPolicy: Sendable {
    /// floed's effective uid.
    public var daemonUID: UInt32
    /// The socket group's name, for messages.
    public var groupName: String
    /// Its id; nil when the group does not exist (then only root and floed's user get in).
    public var groupID: UInt32?
    /// The groups of a user (by uid, with the peer's gid), from the database; replaceable in tests.
    public var groupsOf: @Sendable (_ uid: UInt32, _ gid: UInt32) -> [UInt32]

    public init(
        daemonUID: UInt32 = UInt32(geteuid()), groupName: String, groupID: UInt32?,
        groupsOf: @escaping @Sendable (UInt32, UInt32) -> [UInt32] = SocketAccessPolicy.databaseGroups
    ) {
        self.daemonUID = daemonUID
        self.groupName = groupName
        self.groupID = groupID
        self.groupsOf = groupsOf
    }

    /// The policy for this process: floed's uid and `groupName` looked up.
    public static func forCurrentProcess(groupName: String) -> SocketAccessPolicy {
        SocketAccessPolicy(groupName: groupName, groupID: AccountNames.groupID(groupName))
    }

    /// The groups of user `uid` as `initgroups` would give them (`gid` first); just `gid` for a uid
    /// without a name.
    @Sendable public static func databaseGroups(uid: UInt32, gid: UInt32) -> [UInt32] {
        guard let name = AccountNames.userName(uid) else { return [gid] }
        return UserAccount.groupList(name, primary: gid)
    }

    /// Nil when a client with these credentials may use the API; else the words of the 403 answer.
    public func refusal(uid: UInt32, gid: UInt32) -> String? {
        if uid == 0 || uid == daemonUID { return nil }
        if let groupID, gid == groupID || groupsOf(uid, gid).contains(groupID) { return nil }
        let who = AccountNames.userName(uid).map { "user '\($0)' (uid \(uid))" } ?? "uid \(uid)"
        guard groupID != nil else {
            return "access denied: \(who) is not root and not floed's user, and the socket group '\(groupName)' "
                + "does not exist; create it (groupadd --system \(groupName)), add the user to it and restart floed"
        }
        let user = AccountNames.userName(uid) ?? "USER"
        return "access denied: \(who) is not root, not floed's user and not in group '\(groupName)'; "
            + "add it (usermod -aG \(groupName) \(user)) and log in again, or run floectl as root"
    }
}
