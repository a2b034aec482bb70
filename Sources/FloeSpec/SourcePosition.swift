/// A 1-based line:column in a stage file, kept on ``StageFile`` so that cross-file checks can point
/// at the value they complain about.
public struct SourcePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Line 1, column 1: where diagnostics about the whole file go.
    public static let start = SourcePosition(line: 1, column: 1)

    public var description: String { "\(line):\(column)" }
}
