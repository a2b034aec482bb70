import FloeCore
import FloeSpec

/// Gives a container its secrets: `{{secret.NAME.KEY}}` filled in its env, command and args, the
/// `secrets:` as environment variables and as files (written before each start, removed when the
/// instance goes).
struct SecretsHook: InstanceHook {
    let files: SecretFiles

    func prestart(_ start: inout ContainerStart, instance: InstanceKey) async throws(HookFailure) {
        let root = files.directory(instance, start.container.name)
        files.remove(root)
        if let problem = Self.fillPlaceholders(&start.launch, start.container, secrets: start.secrets) {
            throw HookFailure(problem)
        }
        guard !start.container.secrets.isEmpty else { return }
        let delivery: SecretDelivery
        switch SecretDelivery.plan(start.container.secrets, secrets: start.secrets) {
        case .success(let value): delivery = value
        case .failure(let error): throw HookFailure(error.description)
        }
        start.launch.environment.merge(delivery.environment) { _, secret in secret }
        guard !delivery.files.isEmpty else { return }
        if let problem = files.writeFiles(delivery.files, root: root, user: start.launch.user) {
            throw HookFailure(problem)
        }
        start.launch.environment[SecretDelivery.rootVariable] = root
    }

    func forgotten(_ instance: InstanceKey) async {
        files.removeAll(of: instance)
    }

    /// Fills `{{secret.NAME.KEY}}` in the spec's own `env` values, `command` and `args` (image values
    /// are left alone). Returns the status message when a secret or key is missing.
    static func fillPlaceholders(
        _ launch: inout ContainerLaunch, _ spec: ContainerSpec, secrets: [ObjectName: StoredSecret]
    ) -> String? {
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
}
