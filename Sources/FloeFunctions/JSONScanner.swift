/// A strict JSON (RFC 8259) scanner over UTF-8 bytes that finds where values start and end without
/// building them, so that rows and results pass through floe byte for byte (numbers keep their
/// precision, strings their escapes) and are never copied into a tree.
struct JSONScanner {
    /// Why some bytes are not JSON: what was wrong and the byte offset where it was found.
    struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        var message: String
        var offset: Int
        var description: String { "\(message) at byte \(offset + 1)" }
    }

    /// Nesting deeper than this is refused (a hostile input must not exhaust the stack).
    static let maxDepth = 256

    let bytes: [UInt8]
    let end: Int

    init(_ bytes: [UInt8], end: Int? = nil) {
        self.bytes = bytes
        self.end = end ?? bytes.count
    }

    /// The offset of the first byte at or after `offset` that is not JSON whitespace.
    func skipSpace(_ offset: Int) -> Int {
        var i = offset
        while i < end, Self.isSpace(bytes[i]) { i += 1 }
        return i
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Scans one value that starts at `offset` (no leading whitespace) and returns the offset just after it.
    func value(at offset: Int, depth: Int = 0) throws(Failure) -> Int {
        guard offset < end else { throw Failure(message: "the text ends where a value should be", offset: offset) }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object(at: offset, depth: depth + 1)
        case UInt8(ascii: "["): return try array(at: offset, depth: depth + 1) { _ throws(Failure) in }
        case UInt8(ascii: "\""): return try string(at: offset)
        case UInt8(ascii: "t"): return try literal("true", at: offset)
        case UInt8(ascii: "f"): return try literal("false", at: offset)
        case UInt8(ascii: "n"): return try literal("null", at: offset)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number(at: offset)
        default:
            throw Failure(message: "unexpected character '\(Self.show(bytes[offset]))'", offset: offset)
        }
    }

    /// Scans an array starting at `offset`, calling `element` with each element's byte range; returns
    /// the offset after the closing bracket.
    func array(
        at offset: Int, depth: Int = 1, element: (Range<Int>) throws(Failure) -> Void
    ) throws(Failure) -> Int {
        guard depth <= Self.maxDepth else {
            throw Failure(message: "nesting deeper than \(Self.maxDepth)", offset: offset)
        }
        guard offset < end, bytes[offset] == UInt8(ascii: "[") else {
            throw Failure(message: "expected '['", offset: offset)
        }
        var i = skipSpace(offset + 1)
        if i < end, bytes[i] == UInt8(ascii: "]") { return i + 1 }
        while true {
            let after = try value(at: i, depth: depth)
            try element(i..<after)
            i = skipSpace(after)
            guard i < end else { throw Failure(message: "the text ends inside an array", offset: i) }
            if bytes[i] == UInt8(ascii: "]") { return i + 1 }
            guard bytes[i] == UInt8(ascii: ",") else {
                throw Failure(message: "expected ',' or ']' in an array, found '\(Self.show(bytes[i]))'", offset: i)
            }
            i = skipSpace(i + 1)
        }
    }

    /// Scans an object starting at `offset`, calling `member` with each key's range (quotes included)
    /// and value's range; returns the offset after the closing brace.
    func object(
        at offset: Int, depth: Int = 1, member: (Range<Int>, Range<Int>) throws(Failure) -> Void = { _, _ in }
    ) throws(Failure) -> Int {
        guard depth <= Self.maxDepth else {
            throw Failure(message: "nesting deeper than \(Self.maxDepth)", offset: offset)
        }
        guard offset < end, bytes[offset] == UInt8(ascii: "{") else {
            throw Failure(message: "expected '{'", offset: offset)
        }
        var i = skipSpace(offset + 1)
        if i < end, bytes[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard i < end, bytes[i] == UInt8(ascii: "\"") else {
                throw Failure(message: "expected a quoted key in an object", offset: i)
            }
            let keyEnd = try string(at: i)
            let colon = skipSpace(keyEnd)
            guard colon < end, bytes[colon] == UInt8(ascii: ":") else {
                throw Failure(message: "expected ':' after an object key", offset: colon)
            }
            let valueStart = skipSpace(colon + 1)
            let valueEnd = try value(at: valueStart, depth: depth)
            try member(i..<keyEnd, valueStart..<valueEnd)
            i = skipSpace(valueEnd)
            guard i < end else { throw Failure(message: "the text ends inside an object", offset: i) }
            if bytes[i] == UInt8(ascii: "}") { return i + 1 }
            guard bytes[i] == UInt8(ascii: ",") else {
                throw Failure(message: "expected ',' or '}' in an object, found '\(Self.show(bytes[i]))'", offset: i)
            }
            i = skipSpace(i + 1)
        }
    }

    func string(at offset: Int) throws(Failure) -> Int {
        var i = offset + 1
        while i < end {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""): return i + 1
            case UInt8(ascii: "\\"):
                guard i + 1 < end else { break }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < end, bytes[(i + 2)...(i + 5)].allSatisfy(Self.isHex) else {
                        throw Failure(message: "a \\u escape needs four hex digits", offset: i)
                    }
                    i += 6
                default:
                    throw Failure(message: "unknown escape '\\\(Self.show(bytes[i + 1]))' in a string", offset: i)
                }
            case 0..<0x20:
                throw Failure(message: "a control character inside a string (write it as an escape)", offset: i)
            default: i += 1
            }
        }
        throw Failure(message: "the text ends inside a string", offset: offset)
    }

    func number(at offset: Int) throws(Failure) -> Int {
        var i = offset
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, Self.isDigit(bytes[i]) else { throw Failure(message: "a number needs digits", offset: offset) }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < end, Self.isDigit(bytes[i]) { i += 1 }
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end, Self.isDigit(bytes[i]) else {
                throw Failure(message: "a number needs digits after '.'", offset: offset)
            }
            while i < end, Self.isDigit(bytes[i]) { i += 1 }
        }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, Self.isDigit(bytes[i]) else {
                throw Failure(message: "a number needs digits in its exponent", offset: offset)
            }
            while i < end, Self.isDigit(bytes[i]) { i += 1 }
        }
        return i
    }

    func literal(_ word: StaticString, at offset: Int) throws(Failure) -> Int {
        let matches = word.withUTF8Buffer { expected in
            offset + expected.count <= end && (0..<expected.count).allSatisfy { bytes[offset + $0] == expected[$0] }
        }
        guard matches else { throw Failure(message: "expected \(word)", offset: offset) }
        return offset + word.utf8CodeUnitCount
    }

    /// The whole text is one value (with optional whitespace around it); returns the value's range.
    func single() throws(Failure) -> Range<Int> {
        let start = skipSpace(0)
        let after = try value(at: start)
        let rest = skipSpace(after)
        guard rest == end else {
            throw Failure(message: "unexpected text after the value", offset: rest)
        }
        return start..<after
    }

    /// The non-negative integer in `range` (plain digits only), or nil.
    func integer(_ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18, bytes[range].allSatisfy(Self.isDigit) else { return nil }
        return bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    static func show(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }
}
