/// SPCS-style template placeholders (`{{ name }}`, `{{ name | default('x') }}`), rendered textually
/// before the YAML is parsed, as the snow CLI does. SPCS's own secret references
/// (`{{secret.NAME.KEY}}`) are not templates: they are left as written and resolved at run time.
enum SpecTemplate {
    /// What an unresolved placeholder becomes when templates are allowed (`floectl validate --template`).
    /// Checks that would fail only because a value is such a marker are skipped.
    static let marker = "__floe_template__"

    /// True when `value` holds an unresolved placeholder's marker.
    static func isUnresolved(_ value: String) -> Bool { value.contains(marker) }

    /// One `{{ … }}` or `{% … %}` found in the raw text.
    struct Placeholder {
        enum Kind {
            /// `{{ name }}` or `{{ name | default('x') }}`.
            case value(name: String, defaultValue: String?)
            /// `{{secret.NAME.KEY}}`: left untouched.
            case secret
            /// `{% … %}`: a Jinja statement, which floe does not support.
            case statement
            /// `{{ … }}` with an expression floe does not understand.
            case unsupported
        }
        var kind: Kind
        /// UTF-8 offsets of the whole placeholder, braces included.
        var start: Int
        var end: Int
        var position: SourcePosition
        /// The placeholder as written.
        var text: String
    }

    /// Every placeholder in `bytes` (which must be valid UTF-8), in text order. A placeholder does
    /// not span lines.
    static func scan(_ bytes: [UInt8]) -> [Placeholder] {
        var result: [Placeholder] = []
        var line = 1
        var lineStart = 0
        var index = 0
        let count = bytes.count
        while index + 1 < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "{"),
                bytes[index + 1] == UInt8(ascii: "{") || bytes[index + 1] == UInt8(ascii: "%")
            else {
                index += 1
                continue
            }
            let isStatement = bytes[index + 1] == UInt8(ascii: "%")
            let closer = isStatement ? UInt8(ascii: "%") : UInt8(ascii: "}")
            var end = index + 2
            var found = false
            while end + 1 < count, bytes[end] != UInt8(ascii: "\n") {
                if bytes[end] == closer, bytes[end + 1] == UInt8(ascii: "}") {
                    found = true
                    break
                }
                end += 1
            }
            guard found else {
                index += 2
                continue
            }
            let column = String(decoding: bytes[lineStart..<index], as: UTF8.self).unicodeScalars.count + 1
            let text = String(decoding: bytes[index..<(end + 2)], as: UTF8.self)
            let inner = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
            let kind: Placeholder.Kind = isStatement ? .statement : classify(inner)
            result.append(
                Placeholder(
                    kind: kind, start: index, end: end + 2, position: SourcePosition(line: line, column: column),
                    text: text))
            index = end + 2
        }
        return result
    }

    /// Reads the inside of `{{ … }}`.
    static func classify(_ inner: String) -> Placeholder.Kind {
        let trimmed = trim(inner)
        if trimmed.lowercased().hasPrefix("secret.") { return .secret }
        let parts = trimmed.split(separator: "|", maxSplits: 1).map { trim(String($0)) }
        guard let name = parts.first, isVariableName(name) else { return .unsupported }
        if parts.count == 1 { return .value(name: name, defaultValue: nil) }
        // default('x') / default("x") / default(x)
        let filter = parts[1]
        guard filter.hasPrefix("default("), filter.hasSuffix(")") else { return .unsupported }
        var argument = trim(String(filter.dropFirst("default(".count).dropLast()))
        if argument.count >= 2, let first = argument.first, first == "'" || first == "\"", argument.last == first {
            argument = String(argument.dropFirst().dropLast())
        }
        return .value(name: name, defaultValue: argument)
    }

    /// Letters, digits, `_` and `.`, starting with a letter or `_`.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "."
        }
    }

    static func trim(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }

    /// `bytes` with each placeholder replaced by `replacement(placeholder)` (nil: left as written).
    static func render(_ bytes: [UInt8], _ placeholders: [Placeholder], replacement: (Placeholder) -> String?)
        -> [UInt8]
    {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var cursor = 0
        for placeholder in placeholders {
            guard let text = replacement(placeholder) else { continue }
            output.append(contentsOf: bytes[cursor..<placeholder.start])
            output.append(contentsOf: Array(text.utf8))
            cursor = placeholder.end
        }
        output.append(contentsOf: bytes[cursor...])
        return output
    }

    /// The names of `{{secret.NAME.KEY}}` references in `value`, lower-cased.
    static func secretReferences(in value: String) -> [String] {
        var names: [String] = []
        for placeholder in scan(Array(value.utf8)) {
            guard case .secret = placeholder.kind else { continue }
            let inner = trim(String(placeholder.text.dropFirst(2).dropLast(2)))
            let parts = inner.split(separator: ".")
            if parts.count >= 2 { names.append(parts[1].lowercased()) }
        }
        return names
    }
}
