import ArgumentParser
import FloeAPI
import Foundation
import NIOHTTP1

/// `floectl endpoints NAME`: SHOW ENDPOINTS IN SERVICE.
struct Endpoints: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a service's endpoints and their ingress URLs (SHOW ENDPOINTS IN SERVICE).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let rows = try await global.client.decode([EndpointRow].self, "/v1/services/\(queryValue(name))/endpoints")
            if global.json { return try printJSON(rows) }
            var table = Table(["name", "port", "port_range", "protocol", "is_public", "ingress_url"])
            for r in rows {
                table.add([
                    r.name, r.port.map(String.init) ?? "", r.portRange ?? "", r.protocol, r.isPublic ? "true" : "false",
                    r.ingressURL,
                ])
            }
            write(table.render())
        }
    }
}

/// `floectl suspend NAME`: ALTER SERVICE ... SUSPEND.
struct Suspend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Suspend a service: its instances stop until it is resumed (ALTER SERVICE ... SUSPEND).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let status = try await postForStatus(global, "/v1/services/\(queryValue(name))/suspend")
            try printOutcome(global, action: "suspend", name: name, status: status)
        }
    }
}

/// `floectl resume NAME`: ALTER SERVICE ... RESUME.
struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resume a suspended service: its instances start again (ALTER SERVICE ... RESUME).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let status = try await postForStatus(global, "/v1/services/\(queryValue(name))/resume")
            try printOutcome(global, action: "resume", name: name, status: status)
        }
    }
}

/// `NAME: STATUS`, or with `--json` the ``Outcome``.
private func printOutcome(_ global: GlobalOptions, action: String, name: String, status: String) throws {
    if global.json { return try printJSON(Outcome(action: action, name: name.uppercased(), status: status)) }
    write("\(name.uppercased()): \(status)\n")
}

/// POSTs and reads `{"status": ...}`; an API error becomes a failure with its words.
private func postForStatus(_ global: GlobalOptions, _ path: String) async throws -> String {
    let (status, body, _) = try await global.client.send(.POST, path)
    guard status == 200 else { throw ControlClient.Failure(description: ControlClient.errorMessage(body)) }
    let answer = try? JSONDecoder().decode([String: String].self, from: Data(body))
    return answer?["status"] ?? ""
}

/// `floectl token create|list|revoke`: access tokens for the ingress.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage access tokens for public endpoints (sent as 'Authorization: Bearer TOKEN').",
        subcommands: [Create.self, List.self, Revoke.self])

    /// A token as floed lists it.
    struct Row: Codable {
        var name: String
        var user: String
        var createdOn: String
        var token: String?

        enum CodingKeys: String, CodingKey {
            case name, user, token
            case createdOn = "created_on"
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it (once: floed keeps only its hash).")
        @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
        @Argument(help: "The token's name (letters, digits, '_', '.', '-').") var name: String
        @Option(help: "The user services see in Sf-Context-Current-User (default: the token's name).")
        var user: String?

        func run() async throws {
            try await reportingFailures {
                var path = "/v1/tokens?name=\(queryValue(name))"
                if let user { path += "&user=\(queryValue(user))" }
                let (status, body, _) = try await global.client.send(.POST, path)
                guard status == 200 else { throw ControlClient.Failure(description: ControlClient.errorMessage(body)) }
                let row = try JSONDecoder().decode(Row.self, from: Data(body))
                if global.json { return try printJSON(row) }
                write((row.token ?? "") + "\n")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (names and users, no secrets).")
        @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions

        func run() async throws {
            try await reportingFailures {
                let rows = try await global.client.decode([Row].self, "/v1/tokens")
                if global.json { return try printJSON(rows) }
                var table = Table(["name", "user", "created_on"])
                for r in rows { table.add([r.name, r.user, r.createdOn]) }
                write(table.render())
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: it stops working at once.")
        @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            try await reportingFailures {
                let (status, body, _) = try await global.client.send(.DELETE, "/v1/tokens/\(queryValue(name))")
                guard status == 200 else { throw ControlClient.Failure(description: ControlClient.errorMessage(body)) }
                if global.json { return try printJSON(Outcome(action: "token revoke", name: name)) }
                write("revoked \(name)\n")
            }
        }
    }
}
