/// Reads CSV (RFC 4180: `,` separators, `"` quoting with `""` for a quote, quoted fields may span
/// lines, CRLF or LF line ends) incrementally: feed bytes as they arrive, take whole records.
public struct CSVRecords: Sendable {
    /// One field, and whether it was quoted (an empty unquoted field is NULL).
    public struct Field: Sendable, Hashable {
        public var text: String
        public var quoted: Bool

        public init(_ text: String, quoted: Bool = false) {
            self.text = text
            self.quoted = quoted
        }
    }

    private var field: [UInt8] = []
    private var fieldQuoted = false
    private var inQuotes = false
    private var quoteSeen = false
    private var record: [Field] = []
    private var ready: [[Field]] = []
    private var lastWasCR = false

    public init() {}

    /// Feeds bytes; returns the records they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [[Field]] {
        for byte in bytes { step(byte) }
        defer { ready.removeAll(keepingCapacity: true) }
        return ready
    }

    /// The last record when the input does not end with a newline.
    public mutating func finish() -> [Field]? {
        guard !field.isEmpty || !record.isEmpty || fieldQuoted else { return nil }
        endField()
        defer { record = [] }
        return record
    }

    private mutating func step(_ byte: UInt8) {
        let wasCR = lastWasCR
        lastWasCR = false
        if inQuotes {
            if quoteSeen {
                quoteSeen = false
                if byte == UInt8(ascii: "\"") {
                    field.append(byte)
                    return
                }
                inQuotes = false
            } else if byte == UInt8(ascii: "\"") {
                quoteSeen = true
                return
            } else {
                field.append(byte)
                return
            }
        }
        switch byte {
        case UInt8(ascii: "\"") where field.isEmpty && !fieldQuoted:
            inQuotes = true
            fieldQuoted = true
        case UInt8(ascii: ","):
            endField()
        case UInt8(ascii: "\r"):
            lastWasCR = true
            endRecord()
        case UInt8(ascii: "\n"):
            if !wasCR { endRecord() }
        default:
            field.append(byte)
        }
    }

    private mutating func endField() {
        record.append(Field(String(decoding: field, as: UTF8.self), quoted: fieldQuoted))
        field.removeAll(keepingCapacity: true)
        fieldQuoted = false
    }

    private mutating func endRecord() {
        if record.isEmpty && field.isEmpty && !fieldQuoted { return }  // a blank line
        endField()
        ready.append(record)
        record = []
    }
}
