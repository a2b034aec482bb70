/// A position in a YAML text: 1-based line and column (columns count Unicode scalars).
public struct YAMLMark: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column number.
    public var column: Int

    /// Creates a mark at `line`:`column` (both 1-based).
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written. Plain scalars are the only ones YAML resolves to null, bool or numbers.
public enum YAMLScalarStyle: Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// One key/value entry of a YAML mapping, in document order.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A node of a parsed YAML document, with the position where it starts.
///
/// Scalars keep their text exactly as written (after YAML unescaping): floe's spec reader decides
/// per field how to interpret them, so `No` in an `env` map stays the string `No`.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Kind: Sendable {
        case scalar(String, YAMLScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    /// Where the node starts.
    public var mark: YAMLMark
    /// An explicit tag such as `!!str`, if the document gave one.
    public var tag: String?

    public init(_ kind: Kind, mark: YAMLMark, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.tag = tag
    }
}

extension YAMLNode {
    /// The scalar's text, or nil for a sequence or mapping.
    public var scalar: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// The scalar's style, or nil for a sequence or mapping.
    public var scalarStyle: YAMLScalarStyle? {
        if case .scalar(_, let style) = kind { return style }
        return nil
    }

    /// The sequence's items, or nil for a scalar or mapping.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The mapping's entries, or nil for a scalar or sequence.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// True for a plain scalar that YAML reads as null: empty, `~`, `null`, `Null`, `NULL`.
    public var isNull: Bool {
        guard case .scalar(let text, .plain) = kind, tag == nil || tag == "tag:yaml.org,2002:null" else {
            return false
        }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// The value of the first entry whose key is the scalar `key`, for a mapping node.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first(where: { $0.key.scalar == key })?.value
    }

    /// A short name for the node's kind, for diagnostics ("a mapping", "a list", "a string").
    public var kindDescription: String {
        switch kind {
        case .scalar:
            return isNull ? "nothing (null)" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
