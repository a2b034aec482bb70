import NIOCore

/// The rows of a JSON-lines byte stream (one JSON array of arguments per line; blank lines are
/// skipped), read as the chunks arrive: only the current line is held.
public struct JSONLineRows<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    public typealias Element = FunctionRow

    let base: Base
    let maxLineBytes: Int

    /// - Parameter maxLineBytes: a longer line is an input error (so one line cannot exhaust memory).
    public init(_ base: Base, maxLineBytes: Int = 16 << 20) {
        self.base = base
        self.maxLineBytes = maxLineBytes
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), maxLineBytes: maxLineBytes)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let maxLineBytes: Int
        /// Bytes read and not yet returned start at `start`; no newline before `scanFrom`.
        var pending: [UInt8] = []
        var start = 0
        var scanFrom = 0
        var line = 0
        var finished = false

        public mutating func next() async throws -> FunctionRow? {
            while true {
                if let newline = pending[scanFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                    let text = pending[start..<newline]
                    start = newline + 1
                    scanFrom = start
                    line += 1
                    if text.allSatisfy(JSONScanner.isSpace) { continue }
                    return try FunctionRow(jsonArray: text, line: line)
                }
                if finished {
                    let text = pending[start...]
                    guard !text.isEmpty else { return nil }
                    line += 1
                    start = pending.count
                    scanFrom = start
                    if text.allSatisfy(JSONScanner.isSpace) { return nil }
                    return try FunctionRow(jsonArray: text, line: line)
                }
                guard pending.count - start <= maxLineBytes else {
                    throw FunctionCallError.badInput(
                        line: line + 1, reason: "the line is longer than \(maxLineBytes) bytes")
                }
                // Drop what was returned before reading more.
                pending.removeSubrange(..<start)
                start = 0
                scanFrom = pending.count
                if let chunk = try await base.next() {
                    pending.append(contentsOf: chunk.readableBytesView)
                } else {
                    finished = true
                }
            }
        }
    }
}
