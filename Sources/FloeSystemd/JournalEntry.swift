/// One journal record in the journal's native protocol: `FIELD=value\n` per field, and for a value
/// holding a line break `FIELD\n` followed by the value's length (64-bit little-endian), the value
/// and `\n`.
public struct JournalEntry: Sendable, Hashable {
    /// The fields, in order. Names are valid journal field names (see ``fieldName(forMetadataKey:)``).
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    /// Appends a field. Names that the journal would refuse are made valid (see ``sanitizedFieldName(_:)``).
    public mutating func append(_ name: String, _ value: String) {
        fields.append((Self.sanitizedFieldName(name), value))
    }

    /// The first value of the field `name`, if present.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The datagram to send to the journal socket.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 10 })
        for (name, value) in fields {
            bytes.append(contentsOf: name.utf8)
            if value.utf8.contains(UInt8(ascii: "\n")) {
                bytes.append(UInt8(ascii: "\n"))
                var length = UInt64(value.utf8.count).littleEndian
                withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            } else {
                bytes.append(UInt8(ascii: "="))
            }
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// Parses a datagram in the native protocol (what ``encoded()`` writes); nil if it is malformed.
    /// floed does not need this; tests and tools that stand in for journald do.
    public static func decode(_ bytes: [UInt8]) -> JournalEntry? {
        var entry = JournalEntry()
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") })
            else { return nil }
            let name = String(decoding: bytes[index..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                guard let lineEnd = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                entry.fields.append((name, String(decoding: bytes[(end + 1)..<lineEnd], as: UTF8.self)))
                index = lineEnd + 1
            } else {
                let lengthStart = end + 1
                guard bytes.count >= lengthStart + 8 else { return nil }
                var length: UInt64 = 0
                for (shift, byte) in bytes[lengthStart..<(lengthStart + 8)].enumerated() {
                    length |= UInt64(byte) << (8 * UInt64(shift))
                }
                let valueStart = lengthStart + 8
                guard length <= UInt64(bytes.count - valueStart), bytes.count > valueStart + Int(length),
                    bytes[valueStart + Int(length)] == UInt8(ascii: "\n")
                else { return nil }
                let value = String(decoding: bytes[valueStart..<(valueStart + Int(length))], as: UTF8.self)
                entry.fields.append((name, value))
                index = valueStart + Int(length) + 1
            }
        }
        return entry
    }

    /// A name the journal accepts: upper-case letters, digits and `_`, not starting with `_` or a
    /// digit, at most 64 characters. camelCase becomes CAMEL_CASE; other characters become `_`.
    public static func sanitizedFieldName(_ raw: String) -> String {
        var result = ""
        var previousWasLowerOrDigit = false
        for scalar in raw.unicodeScalars {
            let isUpper = scalar >= "A" && scalar <= "Z"
            let isLower = scalar >= "a" && scalar <= "z"
            let isDigit = scalar >= "0" && scalar <= "9"
            if isUpper && previousWasLowerOrDigit {
                result.append("_")
            }
            if isUpper || isDigit {
                result.unicodeScalars.append(scalar)
            } else if isLower {
                result += String(scalar).uppercased()
            } else if !result.hasSuffix("_") {
                result.append("_")
            }
            previousWasLowerOrDigit = isLower || isDigit
        }
        while result.hasPrefix("_") {
            result.removeFirst()
        }
        if result.isEmpty {
            result = "FIELD"
        } else if let first = result.unicodeScalars.first, first >= "0" && first <= "9" {
            result = "F_" + result
        }
        return String(result.prefix(64))
    }

    /// The journal field for a logger metadata key: `service`, `instance` and `container` become
    /// `FLOE_SERVICE`, `FLOE_INSTANCE` and `FLOE_CONTAINER`; any other key `FLOE_<UPPER_SNAKE>`.
    public static func fieldName(forMetadataKey key: String) -> String {
        sanitizedFieldName("FLOE_" + sanitizedFieldName(key))
    }

    public static func == (lhs: JournalEntry, rhs: JournalEntry) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for (name, value) in fields {
            hasher.combine(name)
            hasher.combine(value)
        }
    }
}
