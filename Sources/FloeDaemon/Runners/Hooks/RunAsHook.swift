import FloeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs the container as the user its header's `runAs` names (or floed's default user, when floed is
/// root), with that user's HOME unless the spec set one.
struct RunAsHook: InstanceHook {
    let policy: RunAsPolicy
    /// floed's base environment: a HOME from it means nothing to another user.
    let baseEnvironment: [String: String]

    func prestart(_ start: inout ContainerStart, instance: InstanceKey) async throws(HookFailure) {
        switch policy.account(runAs: start.runAs) {
        case .success(let account):
            start.launch.user = account?.identity
            if let account, account.uid != geteuid(), start.launch.environment["HOME"] == baseEnvironment["HOME"] {
                start.launch.environment["HOME"] = account.home
            }
        case .failure(let error):
            throw HookFailure(error.description)
        }
    }
}
