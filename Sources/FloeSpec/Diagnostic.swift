/// A problem found in a stage file, with where it is and what to do about it.
public struct Diagnostic: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// floe refuses the file (the object keeps running on its last good version, if any).
        case error
        /// floe accepts the file but says something the user should know.
        case warning
    }

    public var severity: Severity
    /// The file's path as given by the user (or the daemon's stage path).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// What is wrong and what to do.
    public var message: String

    public init(_ severity: Severity, file: String, line: Int, column: Int, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `path:line:col: error: message`, the format compilers use.
    public var description: String { "\(file):\(line):\(column): \(severity.rawValue): \(message)" }

    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        (lhs.file, lhs.line, lhs.column, lhs.message) < (rhs.file, rhs.line, rhs.column, rhs.message)
    }
}
