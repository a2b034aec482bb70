import ArgumentParser
import FloeAPI
import FloeFunctions
import FloeSpec
import Foundation

/// `floectl functions`: the stage's service functions.
struct Functions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List service functions (SHOW FUNCTIONS).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions

    func run() async throws {
        try await reportingFailures {
            let rows = try await global.client.decode([FunctionInfo].self, "/v1/functions")
            if global.json { return try printJSON(rows) }
            var table = Table(["name", "service", "endpoint", "path", "signature"])
            for r in rows { table.add([r.name, r.service, r.endpoint, r.path, r.signature]) }
            write(table.render())
        }
    }
}

/// `floectl call NAME ARG...` or `floectl call NAME --input FILE|-`: calls a service function.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call a service function (SELECT f(...)): one row from ARGs, or many rows from --input.",
        discussion: """
            With ARGs, calls the function once and prints the result (a string as its text, anything \
            else as JSON; --json prints the JSON value). An ARG is JSON when it parses as JSON (42, true, \
            null, "text", [1,2]), else a string; for a VARCHAR (or other text) argument a bare number stays \
            a string, as SQL's '122880' would.

            With --input, reads rows (JSON lines: one JSON array of arguments per line; or CSV with \
            --format csv, where an empty field is NULL) and prints one result per row, in input order, \
            as JSON lines (or CSV with --output csv). Rows go to the service in batches of the function's \
            maxBatchRows, several at once over its READY instances.

            Exit status: 0 done; 1 the call failed (the service's error, no READY instance, a timeout, a \
            wrong answer); 2 bad arguments or input.
            """)

    enum InputFormat: String, ExpressibleByArgument, CaseIterable { case json, csv }

    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument(help: "The function's name (case-insensitive).") var name: String
    @Argument(help: "The arguments of one call.") var arguments: [String] = []
    @Option(name: .shortAndLong, help: "Read rows from FILE ('-' for standard input).") var input: String?
    @Option(help: "The input's format: json (JSON lines) or csv.") var format: InputFormat = .json
    @Option(help: "The output's format: json (JSON lines) or csv.") var output: InputFormat = .json
    @Flag(help: "With --format csv: the first record is a header, not a row.") var header = false
    @Option(help: "Seconds to wait for a READY instance before failing.") var wait: Double = 30

    func validate() throws {
        if global.json && output == .csv {
            throw ValidationError("--json prints JSON lines; leave out --output csv (or --json)")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let function = try await lookUp()
            let source: FunctionInput
            if let input {
                guard arguments.isEmpty else {
                    throw fail("give either ARGs or --input, not both", code: 2)
                }
                source = try FunctionInput(path: input, format: format, header: header, function: function)
            } else {
                guard arguments.count == function.arguments.count else {
                    throw fail(
                        "\(function.signature) takes \(function.arguments.count) argument\(function.arguments.count == 1 ? "" : "s"), \(arguments.count) given",
                        code: 2)
                }
                let values = zip(arguments, function.arguments).map { FunctionArguments.json($0, type: $1.type) }
                source = FunctionInput(line: "[" + values.joined(separator: ",") + "]\n")
            }
            let printer = ResultPrinter(
                mode: input == nil ? (global.json ? .jsonValue : .value) : (output == .csv ? .csv : .jsonLines))
            let path = "/v1/functions/\(queryValue(function.name))?wait=\(wait)"
            let result = try await global.client.call(path, input: source, printer: printer)
            if let error = result.error { throw fail(error, code: result.isInputError ? 2 : 1) }
        }
    }

    /// The function's row from floed, or a clear error.
    func lookUp() async throws -> FunctionInfo {
        let functions = try await global.client.decode([FunctionInfo].self, "/v1/functions")
        let wanted = ObjectName(name)?.value ?? name
        guard let function = functions.first(where: { $0.name == wanted }) else {
            let known = functions.map(\.name).joined(separator: ", ")
            throw fail(
                "function '\(name)' does not exist; \(known.isEmpty ? "the stage defines no function" : "the stage defines \(known)")"
            )
        }
        return function
    }
}
