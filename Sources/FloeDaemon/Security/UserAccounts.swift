import FloeCore
import FloeRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A user of the password database, with its groups as `initgroups(3)` would set them.
public struct UserAccount: Sendable, Hashable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    /// Every group the user is in (primary group first), from `getgrouplist(3)`.
    public var groups: [UInt32]
    /// The home directory the database gives (`/` when it gives none).
    public var home: String

    public init(name: String, uid: UInt32, gid: UInt32, groups: [UInt32], home: String = "/") {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.home = home
    }

    /// The identity a process of this user runs with.
    public var identity: UserIdentity { UserIdentity(uid: uid, gid: gid, groups: groups) }

    /// The user called `name` (`getpwnam_r`), or nil when there is none.
    public static func named(_ name: String) -> UserAccount? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        let uid = UInt32(entry.pw_uid)
        let gid = UInt32(entry.pw_gid)
        let home = entry.pw_dir.map { String(cString: $0) } ?? "/"
        return UserAccount(
            name: name, uid: uid, gid: gid, groups: groupList(name, primary: gid), home: home.isEmpty ? "/" : home)
    }

    /// The user with id `uid`, or nil when the database has none.
    public static func withID(_ uid: UInt32) -> UserAccount? {
        guard let name = AccountNames.userName(uid) else { return nil }
        return named(name)
    }

    /// `getgrouplist(3)`: the groups of user `name` whose primary group is `primary` (included first).
    public static func groupList(_ name: String, primary: UInt32) -> [UInt32] {
        var count: Int32 = 32
        for _ in 0..<4 {
            var groups = [gid_t](repeating: 0, count: Int(count))
            let capacity = count
            if getgrouplist(name, gid_t(primary), &groups, &count) >= 0 {
                var list = [primary]
                for group in groups.prefix(Int(count)) where UInt32(group) != primary {
                    if !list.contains(UInt32(group)) { list.append(UInt32(group)) }
                }
                return list
            }
            count = max(count, capacity * 2)
        }
        return [primary]
    }
}
