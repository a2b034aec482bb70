/// `PUT /v1/secrets/{name}`: a secret's new value, as `floectl secret set` sends it.
///
/// SPCS's two secret types floe stores: `password` (keys `username` and `password`) and
/// `generic_string` (key `secret_string`).
public struct SecretUpdate: Sendable, Hashable, Codable {
    /// `password` or `generic_string`.
    public var type: String
    public var username: String?
    public var password: String?
    public var secretString: String?

    public init(type: String, username: String? = nil, password: String? = nil, secretString: String? = nil) {
        self.type = type
        self.username = username
        self.password = password
        self.secretString = secretString
    }

    private enum CodingKeys: String, CodingKey {
        case type, username, password
        case secretString = "secret_string"
    }
}

/// `GET /v1/secrets`: one secret, without its values.
public struct SecretSummary: Sendable, Hashable, Codable {
    /// The secret's name, upper-case (an SPCS identifier).
    public var name: String
    /// `password` or `generic_string`.
    public var type: String
    /// The keys it has (`username`, `password`, `secret_string`), never their values.
    public var keys: [String]
    /// RFC 3339 UTC time of the last `secret set`.
    public var updatedOn: String

    public init(name: String, type: String, keys: [String], updatedOn: String) {
        self.name = name
        self.type = type
        self.keys = keys
        self.updatedOn = updatedOn
    }
}
