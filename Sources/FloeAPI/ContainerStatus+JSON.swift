extension ContainerStatus {
    /// The status array as SPCS prints it: SPCS's key order, compact, or indented with `pretty`.
    /// (JSONEncoder does not keep key order, and users diff this output against SPCS's.)
    public static func spcsJSON(_ rows: [ContainerStatus], pretty: Bool = false) -> String {
        let objects = rows.map { row -> String in
            var fields: [(String, String)] = [
                ("status", quote(row.status)), ("message", quote(row.message)),
                ("containerName", quote(row.containerName)), ("instanceId", quote(row.instanceId)),
                ("serviceName", quote(row.serviceName)), ("image", quote(row.image)),
                ("restartCount", String(row.restartCount)),
            ]
            if let start = row.startTime { fields.append(("startTime", quote(start))) }
            if pretty {
                return "  {\n" + fields.map { "    \(quote($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n  }"
            }
            return "{" + fields.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }
        if pretty { return objects.isEmpty ? "[]" : "[\n" + objects.joined(separator: ",\n") + "\n]" }
        return "[" + objects.joined(separator: ",") + "]"
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
