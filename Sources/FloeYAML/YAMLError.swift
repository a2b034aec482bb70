/// Why a YAML text could not be read, and where.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words meant for the person who wrote the file.
    public var message: String
    /// Where it went wrong.
    public var mark: YAMLMark

    public init(_ message: String, at mark: YAMLMark) {
        self.message = message
        self.mark = mark
    }

    public var description: String { "\(mark): \(message)" }
}
