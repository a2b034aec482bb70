import FloeFunctions
import Foundation

/// Prints a call's result lines as they arrive.
struct ResultPrinter {
    enum Mode {
        /// One row: a string as its text, anything else as JSON.
        case value
        /// One row: the JSON value.
        case jsonValue
        /// JSON lines, as floed sends them.
        case jsonLines
        /// One CSV field per line: a string as its text, NULL as an empty field, anything else as JSON.
        case csv
    }

    let mode: Mode

    /// The text to print for one result line (without its newline).
    func render(_ line: Substring) -> String {
        switch mode {
        case .jsonValue, .jsonLines: return String(line)
        case .value:
            if line.hasPrefix("\""), let text = Self.string(line) { return text }
            return String(line)
        case .csv:
            if line == "null" { return "" }
            if line.hasPrefix("\""), let text = Self.string(line) { return Self.csvQuote(text) }
            return Self.csvQuote(String(line))
        }
    }

    static func string(_ json: Substring) -> String? {
        try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as? String
    }

    /// Quotes a CSV field when it needs it.
    static func csvQuote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
