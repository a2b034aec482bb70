import ArgumentParser
import FloeAPI
import Foundation

/// `floectl logs NAME`: SYSTEM$GET_SERVICE_LOGS (stdout and stderr merged).
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a container's log (SYSTEM$GET_SERVICE_LOGS).",
        discussion: "With --json, prints JSON lines: one {\"line\": \"...\"} object per log line.")
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
            var jsonLines = global.json ? LogJSONLines() : nil
            func output(_ bytes: [UInt8]) {
                guard !bytes.isEmpty else { return }
                if jsonLines == nil {
                    FileHandle.standardOutput.write(Data(bytes))
                } else if let text = jsonLines?.render(bytes), !text.isEmpty {
                    write(text)
                }
            }
            output(body)
            guard follow else {
                if let rest = jsonLines?.finish() { write(rest) }
                return
            }
            var offset = Int(headers["floe-log-offset"] ?? "0") ?? 0
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(250))
                let (status, chunk, headers) = try await global.client.get("\(base)?\(query)&offset=\(offset)")
                guard status == 200 else { continue }
                output(chunk)
                offset = Int(headers["floe-log-offset"] ?? "") ?? offset
            }
        }
    }
}

/// Log text as JSON lines for `--json`: one `{"line": "..."}` object per line of the log. Text
/// arrives in chunks that may end inside a line; that part waits for the rest of its line.
struct LogJSONLines {
    private var pending: [UInt8] = []
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    private struct Line: Encodable {
        var line: String
    }

    /// The JSON lines of the complete lines in `pending` and `bytes`, each ending in a newline.
    mutating func render(_ bytes: [UInt8]) -> String {
        pending += bytes
        guard let last = pending.lastIndex(of: UInt8(ascii: "\n")) else { return "" }
        let complete = pending[..<last]
        pending.removeSubrange(...last)
        return complete.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(object).joined()
    }

    /// The JSON line of a last line that has no newline, if there is one.
    mutating func finish() -> String {
        defer { pending = [] }
        return pending.isEmpty ? "" : object(pending[...])
    }

    private func object(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let data = (try? encoder.encode(Line(line: text))) ?? Data("{\"line\":\"\"}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
