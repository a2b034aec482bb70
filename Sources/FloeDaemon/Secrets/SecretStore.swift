import FloeAPI
import FloeSpec
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The secrets floed keeps: one JSON file per secret under `<state>/secrets/` (directory 0700,
/// files 0600, written atomically). Only floed reads and writes them; `floectl secret` goes through
/// the control API, so that only who may use the socket may set secrets, and no client needs
/// access to the state directory.
public struct SecretStore: Sendable {
    /// `<state>/secrets`.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Creates the directory (0700) when missing and tightens its mode when it exists.
    public func prepare() throws(SecretError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io("cannot create the secrets directory \(directory): \(error.localizedDescription)")
        }
        if chmod(directory, 0o700) != 0 {
            throw .io("cannot set the mode of \(directory) to 0700: \(String(cString: strerror(errno)))")
        }
    }

    func path(_ name: ObjectName) -> String { "\(directory)/\(name.value).json" }

    /// Stores a new value for `name`, replacing the old one, with a fresh version.
    public func set(_ name: ObjectName, _ update: SecretUpdate, now: Date = Date()) throws(SecretError)
        -> StoredSecret
    {
        let secret = try Self.validated(name, update, now: now)
        try prepare()
        let data: Data
        do {
            data = try JSONEncoder().encode(secret)
        } catch {
            throw .io("cannot encode secret \(name): \(error)")
        }
        do {
            try AtomicFile.write(data, to: path(name), mode: 0o600)
        } catch {
            throw .io("cannot write secret \(name): \(error)")
        }
        return secret
    }

    /// The secret called `name`, or nil when there is none (or its file cannot be read).
    public func load(_ name: ObjectName) -> StoredSecret? {
        guard let data = FileManager.default.contents(atPath: path(name)) else { return nil }
        return try? JSONDecoder().decode(StoredSecret.self, from: data)
    }

    /// Every stored secret, by name.
    public func all() -> [ObjectName: StoredSecret] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var secrets: [ObjectName: StoredSecret] = [:]
        for file in names where file.hasSuffix(".json") && !file.hasPrefix(".") {
            if let name = ObjectName(String(file.dropLast(5))), let secret = load(name) {
                secrets[name] = secret
            }
        }
        return secrets
    }

    /// Removes `name`; false when there was no such secret.
    public func delete(_ name: ObjectName) throws(SecretError) -> Bool {
        if unlink(path(name)) == 0 { return true }
        if errno == ENOENT { return false }
        throw .io("cannot remove secret \(name): \(String(cString: strerror(errno)))")
    }

    /// The secret a spec's `snowflakeSecret` names: the last part of a qualified name
    /// (`db.schema.my_secret` is `MY_SECRET`), quotes removed; nil when that is not an identifier.
    public static func name(forReference reference: String) -> ObjectName? {
        let last = reference.split(separator: ".", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        var bare = last.trimmingCharacters(in: .whitespaces)
        if bare.count >= 2, bare.hasPrefix("\""), bare.hasSuffix("\"") { bare = String(bare.dropFirst().dropLast()) }
        return ObjectName(bare)
    }

    static func validated(_ name: ObjectName, _ update: SecretUpdate, now: Date) throws(SecretError) -> StoredSecret {
        let version = UUID().uuidString.lowercased()
        let time = Timestamp.rfc3339(now)
        switch update.type.lowercased() {
        case "password":
            guard let username = update.username, let password = update.password else {
                throw .invalid("a password secret needs a username and a password: --username U --password-stdin")
            }
            return StoredSecret(
                name: name, kind: .password, username: username, password: password, version: version,
                updatedOn: time)
        case "generic_string":
            guard let text = update.secretString else {
                throw .invalid("a generic_string secret needs its string: --string-stdin")
            }
            return StoredSecret(name: name, kind: .genericString, secretString: text, version: version, updatedOn: time)
        default:
            throw .invalid("unknown secret type '\(update.type)'; floe stores password and generic_string secrets")
        }
    }
}

/// Why a secret could not be stored or removed.
public enum SecretError: Error, Sendable, CustomStringConvertible {
    /// The request is not a valid secret (words say what to give).
    case invalid(String)
    /// The state directory could not be written.
    case io(String)

    public var description: String {
        switch self {
        case .invalid(let message), .io(let message): message
        }
    }
}
