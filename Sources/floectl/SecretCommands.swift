import ArgumentParser
import FloeAPI
import Foundation
import NIOHTTP1

/// `floectl secret`: SPCS secrets (CREATE SECRET ... TYPE = password | generic_string), stored by floed
/// under its state directory. Values are read from stdin, never from the command line (where `ps`
/// and shell history would show them), and are never printed.
struct Secret: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set, list and delete the secrets specs name in containers[].secrets (values never shown).",
        subcommands: [SecretSet.self, SecretList.self, SecretDelete.self])
}

/// `floectl secret set NAME --username U --password-stdin` or `--string-stdin`.
struct SecretSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Create or replace a secret: a password secret (--username U --password-stdin) "
            + "or a generic_string secret (--string-stdin). Services that use it restart, one at a time.")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument(help: "The secret's name (an identifier, as in snowflakeSecret).") var name: String
    @Option(help: "The username of a password secret.") var username: String?
    @Flag(help: "Read the password of a password secret from stdin (one trailing newline is dropped).")
    var passwordStdin = false
    @Flag(help: "Read the secret_string of a generic_string secret from stdin (one trailing newline is dropped).")
    var stringStdin = false

    func validate() throws {
        guard passwordStdin != stringStdin else {
            throw ValidationError("give --password-stdin (with --username) or --string-stdin")
        }
        if passwordStdin && username == nil { throw ValidationError("a password secret needs --username") }
        if stringStdin && username != nil { throw ValidationError("--username belongs to password secrets") }
    }

    func run() async throws {
        try await reportingFailures {
            var value = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if value.hasSuffix("\r\n") {
                value.removeLast(2)
            } else if value.hasSuffix("\n") {
                value.removeLast()
            }
            let update =
                passwordStdin
                ? SecretUpdate(type: "password", username: username, password: value)
                : SecretUpdate(type: "generic_string", secretString: value)
            let body = Array(try JSONEncoder().encode(update))
            let (status, answer, _) = try await global.client.send(.PUT, "/v1/secrets/\(pathValue(name))", body: body)
            guard status == 200 else { throw fail(ControlClient.errorMessage(answer)) }
            if global.json {
                return try printJSON(Outcome(action: "secret set", name: secretName(answer) ?? name.uppercased()))
            }
            print("secret \(name.uppercased()) set")
        }
    }
}

/// `floectl secret list`: names, types and keys.
struct SecretList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List secrets: names, types and keys, never values.")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions

    func run() async throws {
        try await reportingFailures {
            let secrets = try await global.client.decode([SecretSummary].self, "/v1/secrets")
            if global.json {
                try printJSON(secrets)
                return
            }
            var table = Table(["name", "type", "keys", "updated_on"])
            for secret in secrets {
                table.add([secret.name, secret.type, secret.keys.joined(separator: ","), secret.updatedOn])
            }
            print(table.render(), terminator: "")
        }
    }
}

/// `floectl secret delete NAME`.
struct SecretDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a secret (running instances keep their copy; new ones wait until it is set again).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let (status, answer, _) = try await global.client.send(.DELETE, "/v1/secrets/\(pathValue(name))")
            guard status == 200 else { throw fail(ControlClient.errorMessage(answer)) }
            if global.json {
                return try printJSON(Outcome(action: "secret delete", name: secretName(answer) ?? name.uppercased()))
            }
            print("secret \(name.uppercased()) deleted")
        }
    }
}

/// The secret's name as floed answers it (`{"secret": "NAME"}`).
private func secretName(_ answer: [UInt8]) -> String? {
    (try? JSONDecoder().decode([String: String].self, from: Data(answer)))?["secret"]
}

/// Percent-encodes a path segment.
private func pathValue(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
}
