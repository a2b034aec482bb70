import FloeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The command line that starts a program inside a network namespace.
///
/// `ip netns exec NAME` enters the namespace, mounts `/etc/netns/NAME/*` over `/etc` (the instance's
/// `resolv.conf`) and executes the program; it must run as root. When a user is given, `setpriv`
/// switches to it after that (uid, gid, the user's supplementary groups, as without a namespace)
/// and executes the program. Both replace themselves, so the pid never changes.
public enum NamespaceLaunch {
    /// Directories searched for `ip` (PATH is not used for programs floed runs as root).
    static let searchDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// The full argv, starting with the absolute path of `ip`.
    /// - Throws: ``ContainerStartError/spawnFailed(_:)`` when `ip` (or `setpriv`, with a user) is missing.
    public static func argv(
        namespace: String, user: UserIdentity?, executable: String, arguments: [String]
    ) throws(ContainerStartError) -> [String] {
        guard let ip = locate("ip") else {
            throw .spawnFailed("'ip' (iproute2) is not installed; it is needed to run instances in a network namespace")
        }
        var argv = [ip, "netns", "exec", namespace]
        if let user {
            guard let setpriv = ProcessRuntime.setprivPath else {
                throw .spawnFailed("'setpriv' (util-linux) is not installed; it is needed to run instances as a user")
            }
            argv += [setpriv] + ProcessRuntime.setprivOptions(user) + ["--"]
        }
        return argv + [executable] + arguments
    }

    static func locate(_ name: String) -> String? {
        searchDirectories.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}
