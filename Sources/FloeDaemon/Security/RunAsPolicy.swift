import FloeCore
import FloeRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Decides which user an instance runs as.
///
/// - floed runs as root: the header's `runAs`, else the configured default user (`floe`). The user
///   must exist; `runAs: root` is allowed when written.
/// - floed runs as another user: instances run as floed's user; a `runAs` naming anyone else is
///   refused (floed cannot switch users), and the default user does not apply.
public struct RunAsPolicy: Sendable {
    /// The user for headers without `runAs` (only when floed is root).
    public var defaultUser: String
    /// floed's effective uid.
    public var daemonUID: UInt32
    /// Looks a user up by name (`getpwnam_r`); replaceable in tests.
    public var lookup: @Sendable (String) -> UserAccount?

    public init(
        defaultUser: String, daemonUID: UInt32 = UInt32(geteuid()),
        lookup: @escaping @Sendable (String) -> UserAccount? = { UserAccount.named($0) }
    ) {
        self.defaultUser = defaultUser
        self.daemonUID = daemonUID
        self.lookup = lookup
    }

    /// The identity to run an instance with whose header says `runAs` (nil: floed's own user).
    public func identity(runAs: String?) -> Result<UserIdentity?, RunAsError> {
        account(runAs: runAs).map { $0?.identity }
    }

    /// The user to run an instance as whose header says `runAs` (nil: floed's own user).
    public func account(runAs: String?) -> Result<UserAccount?, RunAsError> {
        guard daemonUID == 0 else {
            guard let runAs else { return .success(nil) }
            if let account = lookup(runAs), account.uid == daemonUID { return .success(nil) }
            let me = AccountNames.userName(daemonUID) ?? "uid \(daemonUID)"
            return .failure(.cannotSwitch(runAs, daemonUser: me))
        }
        let name = runAs ?? defaultUser
        guard let account = lookup(name) else {
            return .failure(runAs == nil ? .noDefaultUser(name) : .noSuchUser(name))
        }
        return .success(account)
    }
}

/// Why an instance cannot run as the user it should (its status message says what to do).
public enum RunAsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The header's `runAs` names a user that does not exist.
    case noSuchUser(String)
    /// The configured default user does not exist.
    case noDefaultUser(String)
    /// floed is not root and `runAs` names another user.
    case cannotSwitch(String, daemonUser: String)

    public var description: String {
        switch self {
        case .noSuchUser(let name):
            "runAs user '\(name)' does not exist: create it (useradd --system \(name)) "
                + "or change runAs in the file's header"
        case .noDefaultUser(let name):
            "user '\(name)' does not exist, and instances do not run as root unless asked: create it "
                + "(systemd-sysusers with deploy/floe-sysusers.conf, or useradd --system --user-group \(name)), "
                + "set runAs in the file's header, or set defaultUser in floed.yaml"
        case .cannotSwitch(let name, let daemonUser):
            "runAs '\(name)': floed runs as '\(daemonUser)' and cannot start processes as another user; "
                + "run floed as root, or remove runAs"
        }
    }
}
