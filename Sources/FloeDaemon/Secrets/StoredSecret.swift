import FloeAPI
import FloeSpec

/// One secret as floed keeps it: a file `<state>/secrets/<NAME>.json`, mode 0600.
public struct StoredSecret: Sendable, Hashable, Codable {
    /// SPCS's secret types floe supports.
    public enum Kind: String, Sendable, Hashable, Codable {
        case password
        case genericString = "generic_string"
    }

    public var name: ObjectName
    public var kind: Kind
    public var username: String?
    public var password: String?
    public var secretString: String?
    /// A random token that changes on every `secret set`: folded into the run digest of services
    /// that use the secret, so that a change restarts them, without the value ever being hashed.
    public var version: String
    /// RFC 3339 UTC.
    public var updatedOn: String

    public init(
        name: ObjectName, kind: Kind, username: String? = nil, password: String? = nil, secretString: String? = nil,
        version: String, updatedOn: String
    ) {
        self.name = name
        self.kind = kind
        self.username = username
        self.password = password
        self.secretString = secretString
        self.version = version
        self.updatedOn = updatedOn
    }

    /// The SPCS keys the secret has, in a fixed order.
    public var keys: [String] {
        switch kind {
        case .password: ["username", "password"]
        case .genericString: ["secret_string"]
        }
    }

    /// The value of `key` (`username`, `password`, `secret_string`), if the secret has it.
    public func value(forKey key: String) -> String? {
        switch (kind, key.lowercased()) {
        case (.password, "username"): username ?? ""
        case (.password, "password"): password ?? ""
        case (.genericString, "secret_string"): secretString ?? ""
        default: nil
        }
    }

    /// What `GET /v1/secrets` shows: never a value.
    public var summary: SecretSummary {
        SecretSummary(name: name.value, type: kind.rawValue, keys: keys, updatedOn: updatedOn)
    }

    private enum CodingKeys: String, CodingKey {
        case name, kind = "type", username, password, secretString = "secret_string", version, updatedOn
    }
}
