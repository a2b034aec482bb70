import FloeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension ProcessRuntime {
    /// Where `setpriv` (util-linux) is, if installed.
    static let setprivPath: String? = ["/usr/bin/setpriv", "/bin/setpriv"].first { access($0, X_OK) == 0 }

    /// True when `user` is the identity floed already runs with: nothing to switch.
    static func isCurrentIdentity(_ user: UserIdentity) -> Bool {
        user.uid == UInt32(geteuid()) && user.gid == UInt32(getegid())
    }

    /// How to run `executable` with `arguments` as `user`: through `setpriv --reuid --regid --groups`,
    /// which changes its credentials itself and then execs the program (floed spawns with
    /// `posix_spawn`, which cannot change them). Nil when `setpriv` is missing: the start then fails
    /// with how to install it, rather than running the container as floed's user.
    static func switchingUser(
        _ user: UserIdentity, executable: String, arguments: [String]
    ) -> (executable: String, arguments: [String])? {
        guard let setpriv = setprivPath else { return nil }
        return (setpriv, setprivOptions(user) + ["--", executable] + arguments)
    }

    /// `setpriv`'s options that make the process `user`: uid, gid and the user's supplementary groups
    /// (just the gid when it has none).
    static func setprivOptions(_ user: UserIdentity) -> [String] {
        let groups = user.groups.isEmpty ? [user.gid] : user.groups
        return [
            "--reuid=\(user.uid)", "--regid=\(user.gid)", "--groups=" + groups.map(String.init).joined(separator: ","),
        ]
    }
}
