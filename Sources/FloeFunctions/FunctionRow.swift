/// One input row: the JSON text of its arguments, without the brackets of the array they came in,
/// so that a batch is built by writing `[index,` + arguments + `]` with no parsing or copying of values.
public struct FunctionRow: Sendable, Hashable {
    /// The arguments' JSON text, comma-separated (`"a", 1`); empty for no arguments.
    public var arguments: [UInt8]
    /// How many arguments there are.
    public var count: Int

    /// Reads one input line: a JSON array of arguments. `line` is its 1-based number, for errors.
    public init(jsonArray text: some Collection<UInt8>, line: Int) throws(FunctionCallError) {
        let bytes = Array(text)
        let scanner = JSONScanner(bytes)
        var count = 0
        var first: Int?
        var last = 0
        do throws(JSONScanner.Failure) {
            let start = scanner.skipSpace(0)
            guard start < bytes.count, bytes[start] == UInt8(ascii: "[") else {
                throw JSONScanner.Failure(message: "a row must be a JSON array", offset: start)
            }
            let after = try scanner.array(at: start) { range throws(JSONScanner.Failure) in
                count += 1
                if first == nil { first = range.lowerBound }
                last = range.upperBound
            }
            guard scanner.skipSpace(after) == bytes.count else {
                throw JSONScanner.Failure(message: "unexpected text after the array", offset: scanner.skipSpace(after))
            }
        } catch {
            throw .badInput(line: line, reason: error.description)
        }
        self.arguments = first.map { Array(bytes[$0..<last]) } ?? []
        self.count = count
    }

    /// A row from already-encoded JSON argument values.
    public init(values: [String]) {
        self.arguments = Array(values.joined(separator: ",").utf8)
        self.count = values.count
    }
}
