/// Turns arguments typed on a command line or read from CSV into JSON values, by the function's
/// declared argument types.
public enum FunctionArguments {
    /// SQL types whose values are text: a bare `122880` given for them is the string "122880", as
    /// SQL's `'122880'` would be.
    static let textTypes: Set<String> = ["VARCHAR", "STRING", "TEXT", "CHAR", "CHARACTER", "NCHAR", "NVARCHAR"]

    /// The JSON text of one argument: for a text type, a string unless the value is `null` or a quoted
    /// JSON string; for other types, the value itself when it is JSON (`42`, `true`, `[1,2]`,
    /// `{"a": 1}`), else a string.
    public static func json(_ raw: String, type: String) -> String {
        let bytes = Array(raw.utf8)
        let isJSON = (try? JSONScanner(bytes).single()) != nil
        let trimmed = raw.trimmingSpaces()
        if isText(type) {
            if trimmed == "null" || (isJSON && trimmed.hasPrefix("\"")) { return trimmed }
            return quote(raw)
        }
        return isJSON ? trimmed : quote(raw)
    }

    /// A CSV field as JSON: an empty field is null (Snowflake's EMPTY_FIELD_AS_NULL), else as ``json(_:type:)``.
    public static func csvField(_ raw: String, quoted: Bool, type: String) -> String {
        if raw.isEmpty && !quoted { return "null" }
        return isText(type) ? quote(raw) : json(raw, type: type)
    }

    /// True for VARCHAR and the other text types (a length like `VARCHAR(16)` is ignored).
    public static func isText(_ type: String) -> Bool {
        let base = type.split(separator: "(").first.map { String($0).trimmingSpaces().uppercased() } ?? ""
        return textTypes.contains(base)
    }

    /// `text` as a JSON string.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    func trimmingSpaces() -> String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !JSONScanner.isSpace($0) }),
            let last = bytes.lastIndex(where: { !JSONScanner.isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
