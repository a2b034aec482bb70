import FloeSpec

/// What a container's `secrets:` give it, the SPCS way: an environment variable holding one key's
/// value (`envVarName` + `secretKeyRef`), or files named after the keys (`directoryPath`).
///
/// floe has no container filesystem to mount into, so `directoryPath` is a directory below a
/// per-container root floed makes (owned by the instance's user, 0700), which the process finds
/// in ``rootVariable``: the files of `directoryPath: /secrets/db` are
/// `$FLOE_SECRETS_ROOT/secrets/db/username` and `.../password` (or `.../secret_string`).
public struct SecretDelivery: Sendable, Hashable {
    /// The environment variable that names the root of the `directoryPath` directories.
    public static let rootVariable = "FLOE_SECRETS_ROOT"

    /// Variables to add to the environment.
    public var environment: [String: String] = [:]
    /// Files to write, by path relative to the root (`secrets/db/password`), with their content.
    public var files: [String: String] = [:]

    public init() {}

    /// What `references` deliver from `secrets`; the error names the first missing secret or key.
    public static func plan(
        _ references: [SecretRef], secrets: [ObjectName: StoredSecret]
    ) -> Result<SecretDelivery, SecretDeliveryError> {
        var delivery = SecretDelivery()
        for reference in references {
            let written = reference.objectName ?? reference.objectReference ?? ""
            guard let name = SecretStore.name(forReference: written) else {
                return .failure(.badReference(written))
            }
            guard let secret = secrets[name] else { return .failure(.notFound(name)) }
            if let variable = reference.envVarName {
                let key = reference.secretKeyRef ?? (secret.kind == .genericString ? "secret_string" : "password")
                guard let value = secret.value(forKey: key) else {
                    return .failure(.noSuchKey(name, key: key, has: secret.keys))
                }
                delivery.environment[variable] = value
            }
            if let directory = reference.directoryPath {
                guard let relative = relativeDirectory(directory) else {
                    return .failure(.badDirectory(directory))
                }
                for key in secret.keys {
                    let path = relative.isEmpty ? key : "\(relative)/\(key)"
                    delivery.files[path] = secret.value(forKey: key) ?? ""
                }
            }
        }
        return .success(delivery)
    }

    /// `directoryPath` as a path below the root: no `..`, no empty or `.` parts; nil when it has them.
    static func relativeDirectory(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.contains(where: { $0 == ".." }) { return nil }
        return parts.filter { $0 != "." }.joined(separator: "/")
    }

    /// The secrets `spec`'s containers name, for the run digest.
    public static func names(in spec: ServiceSpec) -> [ObjectName] {
        let written = spec.containers.flatMap(\.secrets).compactMap { $0.objectName ?? $0.objectReference }
        return Array(Set(written.compactMap { SecretStore.name(forReference: $0) })).sorted()
    }
}

/// Why a container's secrets cannot be delivered (its status message).
public enum SecretDeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(ObjectName)
    case noSuchKey(ObjectName, key: String, has: [String])
    case badReference(String)
    case badDirectory(String)

    public var description: String {
        switch self {
        case .notFound(let name):
            "secret \(name) not found: floectl secret set \(name) --username U --password-stdin "
                + "(or --string-stdin for a generic_string secret)"
        case .noSuchKey(let name, let key, let has):
            "secret \(name) has no key '\(key)' (it has \(has.joined(separator: ", "))); "
                + "change secretKeyRef, or set the secret again with the other type"
        case .badReference(let written):
            "snowflakeSecret '\(written)' is not a secret name; use an identifier such as my_secret"
        case .badDirectory(let path):
            "directoryPath '\(path)' may not contain '..'; use an absolute path such as /secrets/db"
        }
    }
}
