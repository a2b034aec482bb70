import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The control socket's file mode: 0660 and the socket group when that group exists, else 0600
/// (only root and floed's user) with a warning that says how to create the group.
enum SocketPermissions {
    /// Sets the socket's group and mode; returns the mode set.
    @discardableResult
    static func apply(path: String, policy: SocketAccessPolicy, logger: Logger) -> mode_t {
        guard let gid = policy.groupID else {
            chmod(path, 0o600)
            // A per-user floed without the group is the usual case, not a problem worth a warning.
            logger.log(
                level: policy.daemonUID == 0 ? .warning : .info,
                "control socket \(path) is 0600 (only root and floed's user may use it): group '\(policy.groupName)' does not exist; create it (groupadd --system \(policy.groupName), or systemd-sysusers deploy/floe-sysusers.conf), add users with usermod -aG \(policy.groupName) USER, and restart floed"
            )
            return 0o600
        }
        if chown(path, uid_t.max, gid_t(gid)) != 0 {
            chmod(path, 0o600)
            logger.warning(
                "control socket \(path) is 0600: cannot give it to group '\(policy.groupName)' (\(String(cString: strerror(errno)))); floed must be root or a member of the group"
            )
            return 0o600
        }
        chmod(path, 0o660)
        return 0o660
    }
}
