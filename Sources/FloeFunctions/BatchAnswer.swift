import NIOCore

/// Reads a service's answer to a batch, `{"data": [[0, result], [1, result], ...]}`, into one JSON
/// line per row. Anything but exactly one `[index, result]` per input row, indices 0, 1, 2... in
/// order, is an error that says what is wrong.
enum BatchAnswer {
    static func jsonLines(_ body: [UInt8], rows expected: Int) throws(JSONScanner.Failure) -> ByteBuffer {
        let scanner = JSONScanner(body)
        let whole = try scanner.single()
        guard body[whole.lowerBound] == UInt8(ascii: "{") else {
            throw JSONScanner.Failure(message: "the answer is not a JSON object with a \"data\" array", offset: 0)
        }
        var data: Range<Int>?
        _ = try scanner.object(at: whole.lowerBound) { key, value throws(JSONScanner.Failure) in
            if body[key].elementsEqual("\"data\"".utf8) { data = value }
        }
        guard let data, body[data.lowerBound] == UInt8(ascii: "[") else {
            throw JSONScanner.Failure(message: "the answer has no \"data\" array", offset: whole.lowerBound)
        }
        var lines = ByteBuffer()
        lines.reserveCapacity(body.count + expected)
        var row = 0
        _ = try scanner.array(at: data.lowerBound) { element throws(JSONScanner.Failure) in
            guard body[element.lowerBound] == UInt8(ascii: "[") else {
                throw JSONScanner.Failure(
                    message: "row \(row) of the answer is not an array [index, result]", offset: element.lowerBound)
            }
            var parts: [Range<Int>] = []
            _ = try scanner.array(at: element.lowerBound) { part throws(JSONScanner.Failure) in parts.append(part) }
            guard parts.count == 2 else {
                throw JSONScanner.Failure(
                    message: "row \(row) of the answer has \(parts.count) elements; each row is [index, result]",
                    offset: element.lowerBound)
            }
            guard let index = scanner.integer(parts[0]) else {
                throw JSONScanner.Failure(
                    message: "row \(row) of the answer does not start with a row index", offset: parts[0].lowerBound)
            }
            guard index == row else {
                throw JSONScanner.Failure(
                    message: "rows out of order: answer row \(row) has index \(index), expected \(row)",
                    offset: parts[0].lowerBound)
            }
            guard row < expected else {
                throw JSONScanner.Failure(message: "more rows than the \(expected) sent", offset: element.lowerBound)
            }
            write(body[parts[1]], to: &lines)
            lines.writeStaticString("\n")
            row += 1
        }
        guard row == expected else {
            throw JSONScanner.Failure(message: "\(row) rows answered for the \(expected) sent", offset: data.lowerBound)
        }
        return lines
    }

    /// Writes a value on one line: whitespace outside strings is dropped when the value spans lines.
    static func write(_ value: ArraySlice<UInt8>, to buffer: inout ByteBuffer) {
        guard value.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
            buffer.writeBytes(value)
            return
        }
        var inString = false
        var escaped = false
        for byte in value {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if JSONScanner.isSpace(byte) {
                continue
            }
            buffer.writeInteger(byte)
        }
    }

    /// `count` lines of `null` (RETURN_NULL for a failed batch).
    static func nulls(_ count: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count * 5)
        for _ in 0..<count { buffer.writeStaticString("null\n") }
        return buffer
    }
}
