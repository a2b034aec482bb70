import FloeYAML

/// Walks the YAML tree of one stage file, turning nodes into model values and collecting
/// positioned diagnostics. One decoder reads one file.
final class SpecDecoder {
    let path: String
    let allowTemplates: Bool
    private(set) var diagnostics: [Diagnostic] = []
    /// Positions cross-file checks need (see ``StageFile/positions``).
    var positions: [String: SourcePosition] = [:]
    private var warnedFeatures: Set<String> = []
    /// Set once templates are rendered, so that positions point into the file as written.
    var columnMap = ColumnMap()
    /// Where each known key was written, by path (`spec.networkPolicyConfig`), for warnings about a key.
    private var keyMarks: [String: YAMLMark] = [:]

    /// The position of the key at `path` (for example `spec.logExporters`), else `fallback`.
    func keyMark(_ path: String, or fallback: YAMLMark) -> YAMLMark {
        keyMarks[path] ?? fallback
    }

    init(path: String, allowTemplates: Bool) {
        self.path = path
        self.allowTemplates = allowTemplates
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    func error(_ message: String, at mark: YAMLMark) {
        let mark = columnMap.original(mark)
        diagnostics.append(Diagnostic(.error, file: path, line: mark.line, column: mark.column, message: message))
    }

    func warning(_ message: String, at mark: YAMLMark) {
        let mark = columnMap.original(mark)
        diagnostics.append(Diagnostic(.warning, file: path, line: mark.line, column: mark.column, message: message))
    }

    /// One warning per feature per file, for things floe accepts but does not act on yet.
    func notActedOn(_ feature: String, at mark: YAMLMark) {
        guard warnedFeatures.insert(feature).inserted else { return }
        warning("\(feature): accepted, but floe does not act on it yet", at: mark)
    }

    func record(_ key: String, _ node: YAMLNode) {
        let mark = columnMap.original(node.mark)
        positions[key] = SourcePosition(line: mark.line, column: mark.column)
    }

    // MARK: - Shapes

    /// The entries of a mapping node whose keys are all in `keys`; unknown keys are errors with a
    /// suggestion. Returns nil (after an error) when the node is not a mapping. A null node is an
    /// empty mapping.
    func mapping(_ node: YAMLNode, at path: String, keys: [String]) -> [String: YAMLNode]? {
        if node.isNull { return [:] }
        guard let pairs = node.mapping else {
            error("\(path) must be a mapping, found \(describe(node))", at: node.mark)
            return nil
        }
        var result: [String: YAMLNode] = [:]
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if keys.contains(key) {
                result[key] = pair.value
                keyMarks[path.isEmpty ? key : path + "." + key] = pair.key.mark
            } else {
                unknownKey(key, at: pair.key.mark, in: path, keys: keys)
            }
        }
        return result
    }

    func unknownKey(_ key: String, at mark: YAMLMark, in path: String, keys: [String]) {
        let place = path.isEmpty ? "the file's top level" : path
        if let suggestion = KeySuggestion.closest(to: key, in: keys) {
            error("unknown key '\(key)' in \(place); did you mean '\(suggestion)'?", at: mark)
        } else {
            error("unknown key '\(key)' in \(place); expected one of: \(keys.joined(separator: ", "))", at: mark)
        }
    }

    /// The items of a sequence node (null = empty), or nil after an error.
    func sequence(_ node: YAMLNode, at path: String, of what: String) -> [YAMLNode]? {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            error("\(path) must be a list of \(what), found \(describe(node))", at: node.mark)
            return nil
        }
        return items
    }

    /// "a list", "a mapping", "the number 5", "the string 'x'", "nothing (null)".
    func describe(_ node: YAMLNode) -> String {
        guard let text = node.scalar else { return node.kindDescription }
        if node.isNull { return "nothing (null)" }
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        if node.scalarStyle == .plain, Int(text) != nil { return "the number \(shown)" }
        return "'\(shown)'"
    }

    // MARK: - Scalars

    /// A scalar as written (`No` stays "No"). Null is an error unless `allowNull` (then "").
    func string(_ node: YAMLNode, at path: String, allowNull: Bool = false) -> String? {
        if node.isNull {
            if allowNull { return "" }
            error("\(path) needs a value, found nothing", at: node.mark)
            return nil
        }
        guard let text = node.scalar else {
            error("\(path) must be a string, found \(describe(node))", at: node.mark)
            return nil
        }
        return text
    }

    /// A required string: present and not empty.
    func requiredString(_ fields: [String: YAMLNode], _ key: String, at path: String, parent: YAMLNode) -> String? {
        guard let node = fields[key] else {
            error("\(path) needs '\(key)'", at: parent.mark)
            return nil
        }
        guard let text = string(node, at: "\(path).\(key)") else { return nil }
        if text.isEmpty {
            error("\(path).\(key) must not be empty", at: node.mark)
            return nil
        }
        return text
    }

    /// An integer in `range`. A quoted number is accepted with a warning. An unresolved template
    /// placeholder (with templates allowed) gives `range.lowerBound` without a diagnostic.
    func int(_ node: YAMLNode, at path: String, range: ClosedRange<Int>) -> Int? {
        guard let text = node.scalar, !node.isNull else {
            error("\(path) must be an integer, found \(describe(node))", at: node.mark)
            return nil
        }
        if SpecTemplate.isUnresolved(text) { return range.lowerBound }
        guard let value = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
            error("\(path) must be an integer, found \(describe(node))", at: node.mark)
            return nil
        }
        if node.scalarStyle != .plain {
            warning("\(path) is a quoted number; write it without quotes", at: node.mark)
        }
        guard range.contains(value) else {
            let bound =
                range.upperBound == Int.max
                ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            error("\(path) must be \(bound), found \(value)", at: node.mark)
            return nil
        }
        return value
    }

    /// true/false in any case; YAML 1.1's yes/no/on/off with a warning.
    func bool(_ node: YAMLNode, at path: String) -> Bool? {
        guard let text = node.scalar, !node.isNull else {
            error("\(path) must be true or false, found \(describe(node))", at: node.mark)
            return nil
        }
        if SpecTemplate.isUnresolved(text) { return false }
        switch text.lowercased() {
        case "true":
            if node.scalarStyle != .plain {
                warning("\(path) is a quoted boolean; write true without quotes", at: node.mark)
            }
            return true
        case "false":
            if node.scalarStyle != .plain {
                warning("\(path) is a quoted boolean; write false without quotes", at: node.mark)
            }
            return false
        case "yes", "on", "y":
            warning("\(path): '\(text)' is a YAML 1.1 boolean; write true", at: node.mark)
            return true
        case "no", "off", "n":
            warning("\(path): '\(text)' is a YAML 1.1 boolean; write false", at: node.mark)
            return false
        default:
            error("\(path) must be true or false, found \(describe(node))", at: node.mark)
            return nil
        }
    }

    /// A list of scalars as strings (`[1, two]` -> ["1", "two"]). A single scalar is an error.
    func stringList(_ node: YAMLNode, at path: String) -> [String]? {
        guard let items = sequence(node, at: path, of: "strings") else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = string(item, at: "\(path)[\(index)]") else { return nil }
            result.append(text)
        }
        return result
    }

    /// A mapping of names to scalar values, in file order; null values are "" (YAML 1.1 files do that).
    func stringMap(_ node: YAMLNode, at path: String) -> [(name: String, value: String, node: YAMLNode)]? {
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            error("\(path) must be a mapping of names to values, found \(describe(node))", at: node.mark)
            return nil
        }
        var result: [(String, String, YAMLNode)] = []
        for pair in pairs {
            let name = pair.key.scalar ?? ""
            if name.isEmpty {
                error("\(path) has an empty name", at: pair.key.mark)
                continue
            }
            guard let value = string(pair.value, at: "\(path).\(name)", allowNull: true) else { continue }
            result.append((name, value, pair.value))
        }
        return result
    }

    /// An SPCS identifier (pool or service name).
    func objectName(_ node: YAMLNode, at path: String) -> ObjectName? {
        guard let text = string(node, at: path) else { return nil }
        if SpecTemplate.isUnresolved(text) { return ObjectName(SpecTemplate.marker) }
        guard let name = ObjectName(text) else {
            error(
                "\(path) '\(text)' is not an SPCS identifier; use letters, digits, '_' and '$', starting with a letter or '_'",
                at: node.mark)
            return nil
        }
        return name
    }

    /// Checks an SPCS container/endpoint/volume name: 1..63 of `[a-z0-9-]`, starting with a letter,
    /// ending with a letter or digit.
    func checkDNSName(_ name: String, at path: String, node: YAMLNode) {
        if SpecTemplate.isUnresolved(name) { return }
        let scalars = Array(name.unicodeScalars)
        func isLower(_ c: Unicode.Scalar) -> Bool { c >= "a" && c <= "z" }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        var problem: String?
        if scalars.count > 63 {
            problem = "is \(scalars.count) characters long; the limit is 63"
        } else if let bad = scalars.first(where: { !(isLower($0) || isDigit($0) || $0 == "-") }) {
            problem =
                (bad >= "A" && bad <= "Z")
                ? "has upper-case letters; use '\(name.lowercased())'"
                : "has '\(bad)'; use lower-case letters, digits and '-' (for example '\(suggestDNSName(name))')"
        } else if let first = scalars.first, !isLower(first) {
            problem = "must start with a letter"
        } else if let last = scalars.last, last == "-" {
            problem = "must end with a letter or digit"
        }
        if let problem {
            error("\(path) '\(name)' \(problem)", at: node.mark)
        }
    }

    private func suggestDNSName(_ name: String) -> String {
        let mapped = name.lowercased().unicodeScalars.map { c -> Character in
            ((c >= "a" && c <= "z") || (c >= "0" && c <= "9")) ? Character(c) : "-"
        }
        return String(mapped)
    }
}
