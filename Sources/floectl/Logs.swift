import ArgumentParser
import FloeAPI
import Foundation

/// `floectl logs NAME`: SYSTEM$GET_SERVICE_LOGS (stdout and stderr merged).
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a container's log (SYSTEM$GET_SERVICE_LOGS).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String
    @Option(help: "Instance id (default: the first).") var instance: Int?
    @Option(help: "Container name (default: the first).") var container: String?
    @Option(help: "The last N lines.") var lines = 100
    @Flag(help: "The run before the last restart.") var previous = false
    @Flag(name: .shortAndLong, help: "Keep printing what is written.") var follow = false

    func run() async throws {
        try await reportingFailures {
            var query = "lines=\(lines)"
            if let instance { query += "&instance=\(instance)" }
            if let container { query += "&container=\(queryValue(container))" }
            if previous { query += "&previous=true" }
            let base = "/v1/services/\(queryValue(name))/logs"
            let (status, body, headers) = try await global.client.get("\(base)?\(query)")
            guard status == 200 else { throw fail(ControlClient.errorMessage(body)) }
            FileHandle.standardOutput.write(Data(body))
            guard follow else { return }
            var offset = Int(headers["floe-log-offset"] ?? "0") ?? 0
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                let (status, chunk, headers) = try await global.client.get("\(base)?\(query)&offset=\(offset)")
                guard status == 200 else { continue }
                if !chunk.isEmpty { FileHandle.standardOutput.write(Data(chunk)) }
                offset = Int(headers["floe-log-offset"] ?? "") ?? offset
            }
        }
    }
}
