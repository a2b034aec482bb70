import FloeIngress
import FloeSpec
import Foundation
import Synchronization

/// One access token as floed keeps it: only the SHA-256 of the secret is stored.
public struct AccessToken: Sendable, Hashable, Codable {
    /// The name it is managed by (`floectl token revoke NAME`).
    public var name: String
    /// The user it stands for (sent to services as `Sf-Context-Current-User`).
    public var user: String
    /// Lower-case hex SHA-256 of the token.
    public var sha256: String
    public var createdAt: Date

    public init(name: String, user: String, sha256: String, createdAt: Date) {
        self.name = name
        self.user = user
        self.sha256 = sha256
        self.createdAt = createdAt
    }
}

/// Why a token cannot be created or revoked.
public enum AccessTokenError: Error, Sendable, CustomStringConvertible {
    case badName(String)
    case badUser(String)
    case exists(String)
    case unknown(String)
    case cannotSave(String)

    public var description: String {
        switch self {
        case .badName(let name):
            "'\(name)' is not a token name: use 1 to 64 letters, digits, '_', '.' or '-'"
        case .badUser(let user):
            "'\(user)' is not a user name: use 1 to 128 characters without control characters"
        case .exists(let name): "a token named '\(name)' exists already; revoke it first or choose another name"
        case .unknown(let name): "there is no token named '\(name)'; `floectl token list` shows them"
        case .cannotSave(let reason): "cannot save the tokens: \(reason); check the state directory"
        }
    }
}

/// The ingress access tokens: `<state>/ingress/tokens.json` (mode 0600, hashes only). Checked on
/// every request from any thread; changed through the control API.
public final class AccessTokenStore: IngressTokenVerifier, Sendable {
    static let key = StateKey(folder: "ingress", name: "tokens")
    private let directory: StateDirectory
    private let tokens: Mutex<[AccessToken]>

    /// Opens the store, reading the saved tokens (none when the file is missing or unreadable).
    public init(stateDirectory: String) throws {
        directory = try StateDirectory(root: stateDirectory)
        let saved = (try? directory.load([AccessToken].self, key: Self.key)) ?? nil
        tokens = Mutex(saved ?? [])
    }

    /// The user of a valid token.
    public func user(forToken token: String) -> String? {
        let digest = SHA256Digest.hex(Array(token.utf8))
        return tokens.withLock { list in list.first { $0.sha256 == digest }?.user }
    }

    /// The tokens, by name (no secrets).
    public func list() -> [AccessToken] {
        tokens.withLock { $0 }.sorted { $0.name < $1.name }
    }

    /// Creates a token; returns the secret, which is not stored and cannot be shown again.
    public func create(name: String, user: String?) throws(AccessTokenError) -> (AccessToken, String) {
        guard Self.isValidName(name) else { throw .badName(name) }
        let user = user ?? name
        guard (1...128).contains(user.count),
            !user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else { throw .badUser(user) }
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let secret = "floe_" + bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let token = AccessToken(
            name: name, user: user, sha256: SHA256Digest.hex(Array(secret.utf8)), createdAt: Date())
        try update { list throws(AccessTokenError) in
            guard !list.contains(where: { $0.name == name }) else { throw .exists(name) }
            list.append(token)
        }
        return (token, secret)
    }

    /// Revokes a token: requests with it get 401 (or lose their user) at once.
    public func revoke(name: String) throws(AccessTokenError) {
        try update { list throws(AccessTokenError) in
            guard list.contains(where: { $0.name == name }) else { throw .unknown(name) }
            list.removeAll { $0.name == name }
        }
    }

    private func update(_ change: (inout [AccessToken]) throws(AccessTokenError) -> Void) throws(AccessTokenError) {
        let result: Result<Void, AccessTokenError> = tokens.withLock { list in
            var copy = list
            do throws(AccessTokenError) {
                try change(&copy)
            } catch {
                return .failure(error)
            }
            do {
                try directory.save(copy, as: Self.key)
            } catch {
                return .failure(.cannotSave("\(error)"))
            }
            list = copy
            return .success(())
        }
        try result.get()
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
