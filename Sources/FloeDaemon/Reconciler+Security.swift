import FloeAPI
import FloeCore
import FloeRuntime
import FloeSpec
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension Reconciler {
    /// What the stage asks for, with the versions of the secrets each service uses folded into its
    /// digest: `floectl secret set` on a secret a service uses rolls that service's instances (one at
    /// a time, like any upgrade), so they see the new value. Jobs are not re-run for a secret change.
    func desiredState() -> DesiredState {
        if let cached = stageCache.desired { return cached }
        var desired = registry.desiredState(complete: stageComplete)
        for (name, service) in desired.services {
            let used = SecretDelivery.names(in: service.spec)
            guard !used.isEmpty else { continue }
            let versions = used.map { "secret:\($0.value):\(secrets[$0]?.version ?? "missing")" }
            desired.services[name]?.digest = SpecDigest.combine([service.digest] + versions)
        }
        stageCache.desired = desired
        return desired
    }

    /// Applies floe's security rules to a launch: the user it runs as, the image directory's root, and
    /// the container's secrets (environment and files). Returns the status message when the container
    /// cannot start (it stays PENDING and is retried), nil when `launch` is ready.
    func secureLaunch(
        _ launch: inout ContainerLaunch, _ key: InstanceKey, _ spec: ContainerSpec, desired: DesiredState
    ) -> String? {
        let runAs = desired.services[key.object]?.header.runAs ?? desired.jobs[key.object]?.header.runAs
        switch runAsPolicy.account(runAs: runAs) {
        case .success(let account):
            launch.user = account?.identity
            // floed's own HOME means nothing to another user: give it its own (unless the spec set one).
            if let account, account.uid != geteuid(), launch.environment["HOME"] == settings.baseEnvironment["HOME"] {
                launch.environment["HOME"] = account.home
            }
        case .failure(let error): return error.description
        }
        if let image = registry.image(for: spec.image), launch.workingDirectory == image.directory,
            let escape = imageRoots.check(image.directory, what: "image directory")
        {
            return escape.description
        }
        let root = settings.secretFilesDirectory(object: key.object, instance: key.id, container: spec.name)
        removeSecretFiles(root)
        if let problem = fillSecretPlaceholders(&launch, spec) { return problem }
        guard !spec.secrets.isEmpty else { return nil }
        let delivery: SecretDelivery
        switch SecretDelivery.plan(spec.secrets, secrets: secrets) {
        case .success(let value): delivery = value
        case .failure(let error): return error.description
        }
        launch.environment.merge(delivery.environment) { _, secret in secret }
        if !delivery.files.isEmpty {
            if let problem = writeSecretFiles(delivery.files, root: root, user: launch.user) { return problem }
            launch.environment[SecretDelivery.rootVariable] = root
        }
        return nil
    }

    /// Fills `{{secret.NAME.KEY}}` in the spec's own `env` values, `command` and `args` (image values
    /// are left alone). Returns the status message when a secret or key is missing.
    func fillSecretPlaceholders(_ launch: inout ContainerLaunch, _ spec: ContainerSpec) -> String? {
        for variable in spec.env where variable.value.contains("{{") {
            switch SecretPlaceholders.fill(variable.value, secrets: secrets) {
            case .success(let value): launch.environment[variable.name] = value
            case .failure(let error): return error.description
            }
        }
        guard spec.command != nil || spec.args != nil else { return nil }
        for index in launch.argv.indices where launch.argv[index].contains("{{") {
            switch SecretPlaceholders.fill(launch.argv[index], secrets: secrets) {
            case .success(let value): launch.argv[index] = value
            case .failure(let error): return error.description
            }
        }
        return nil
    }

    /// Writes `files` below `root` (directories 0700, files 0600, all owned by `user` when floed is root).
    func writeSecretFiles(_ files: [String: String], root: String, user: UserIdentity?) -> String? {
        let parent = (root as NSString).deletingLastPathComponent
        // The state directory and <state>/instances only let others through (0711); the container's own
        // directory is 0700 and belongs to its user.
        if mkdir(parent, 0o711) != 0 && errno != EEXIST {
            return "cannot create \(parent): \(String(cString: strerror(errno))); check the state directory"
        }
        if user != nil {
            chmod(settings.stateDirectory, 0o711)
            chmod(parent, 0o711)
        }
        func own(_ path: String) {
            if let user, ProcessRuntime.isPrivileged { _ = chown(path, user.uid, user.gid) }
        }
        func makeDirectory(_ path: String) -> Bool {
            if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
            own(path)
            return true
        }
        guard makeDirectory(root) else {
            return "cannot create the secrets directory \(root): \(String(cString: strerror(errno)))"
        }
        for (relative, value) in files.sorted(by: { $0.key < $1.key }) {
            var directory = root
            for part in relative.split(separator: "/").dropLast() {
                directory += "/\(part)"
                guard makeDirectory(directory) else {
                    return "cannot create the secrets directory \(directory): \(String(cString: strerror(errno)))"
                }
            }
            let path = "\(root)/\(relative)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return "cannot write secret file \(path): \(String(cString: strerror(errno)))" }
            let bytes = Array(value.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if let user, ProcessRuntime.isPrivileged { _ = fchown(fd, user.uid, user.gid) }
            fchmod(fd, 0o600)
            close(fd)
            guard written == bytes.count else { return "cannot write secret file \(path)" }
        }
        return nil
    }

    /// Removes a container's secret files (before each start, and when its instance goes).
    func removeSecretFiles(_ root: String) {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Removes the secret files of every container of an instance that is gone.
    func removeSecretFiles(of key: InstanceKey) {
        let sample = settings.secretFilesDirectory(object: key.object, instance: key.id, container: "")
        let parent = (sample as NSString).deletingLastPathComponent
        let prefix = (sample as NSString).lastPathComponent
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix)
        {
            removeSecretFiles("\(parent)/\(entry)")
        }
    }

    // MARK: The control API's secret operations

    /// Stores a secret and reconciles (services that use it roll to pick it up).
    func setSecret(_ name: ObjectName, _ update: SecretUpdate) throws(SecretError) {
        let secret = try secretStore.set(name, update)
        let existed = secrets[name] != nil
        secrets[name] = secret
        record(
            nil, nil, nil, "secret-set", "secret \(name) \(existed ? "updated" : "created") (\(secret.kind.rawValue))")
        reconcile()
    }

    /// The stored secrets, without values.
    func secretList() -> [StoredSecret] {
        secrets.values.sorted { $0.name < $1.name }
    }

    /// Removes a secret; false when it did not exist. Instances already running keep their copy.
    func deleteSecret(_ name: ObjectName) throws(SecretError) -> Bool {
        let removed = try secretStore.delete(name)
        secrets[name] = nil
        if removed {
            record(nil, nil, nil, "secret-deleted", "secret \(name) deleted")
            reconcile()
        }
        return removed
    }
}
