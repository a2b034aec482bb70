import CLibYAML

/// Reads one YAML document into a ``YAMLNode`` tree, through libyaml.
///
/// The reader is strict where floe needs it to be and bounded against hostile input: it refuses
/// invalid UTF-8, more than one document, duplicate keys, non-scalar keys, unknown aliases, input
/// over ``YAMLLimits/maxBytes``, nesting over ``YAMLLimits/maxDepth`` and alias expansion over
/// ``YAMLLimits/maxExpandedNodes``, each with the position of the problem.
public enum YAMLReader {
    /// Parses `bytes` as one YAML document. Returns nil for an empty document (only comments or
    /// white space).
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) -> YAMLNode? {
        if bytes.count > limits.maxBytes {
            throw YAMLError(
                "file is \(bytes.count) bytes, over the \(limits.maxBytes)-byte limit; split it or remove what it does not need",
                at: YAMLMark(line: 1, column: 1))
        }
        if let bad = firstInvalidUTF8(bytes) {
            throw YAMLError("invalid UTF-8 byte sequence; save the file as UTF-8", at: bad)
        }
        let result: Result<YAMLNode?, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            var builder = TreeBuilder(limits: limits)
            return builder.run(buffer)
        }
        return try result.get()
    }

    /// Parses `text` as one YAML document. Returns nil for an empty document.
    public static func parse(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> YAMLNode? {
        try parse(Array(text.utf8), limits: limits)
    }

    /// The position of the first byte that does not start a valid UTF-8 sequence, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> YAMLMark? {
        var line = 1
        var column = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                return nil
            case .error:
                return YAMLMark(line: line, column: column)
            }
        }
    }
}

/// Turns libyaml's event stream into a node tree.
private struct TreeBuilder {
    private enum Frame {
        case sequence(YAMLMark, String?, anchor: String?, items: [YAMLNode], weight: Int)
        case mapping(
            YAMLMark, String?, anchor: String?, pairs: [YAMLPair], pendingKey: YAMLNode?,
            seen: [String: YAMLMark], weight: Int)
    }

    let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    private var expanded = 0
    private var documents = 0
    private var root: YAMLNode?

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<YAMLNode?, YAMLError> {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(YAMLError("out of memory starting the YAML parser", at: YAMLMark(line: 1, column: 1)))
        }
        defer { yaml_parser_delete(&parser) }
        if let base = buffer.baseAddress {
            yaml_parser_set_input_string(&parser, base, buffer.count)
        } else {
            return .success(nil)
        }
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                return .failure(Self.parserError(parser, buffer))
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT {
                return .success(root)
            }
            do throws(YAMLError) {
                try handle(event)
            } catch {
                return .failure(error)
            }
        }
    }

    private mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(
                    "a second YAML document starts here; floe reads one object per file: put each document in its own file",
                    at: mark)
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = Self.string(data.value, Int(data.length))
            let style: YAMLScalarStyle
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let node = YAMLNode(.scalar(text, style), mark: mark, tag: Self.optionalString(data.tag))
            try emit(node, weight: 1, anchor: Self.optionalString(data.anchor))
        case YAML_ALIAS_EVENT:
            let name = Self.optionalString(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError("alias '*\(name)' names no anchor defined before it; define '&\(name)' first", at: mark)
            }
            try emit(target.node, weight: target.weight, anchor: nil, aliasMark: mark)
        case YAML_SEQUENCE_START_EVENT:
            try push(at: mark)
            let data = event.data.sequence_start
            stack.append(
                .sequence(
                    mark, Self.optionalString(data.tag), anchor: Self.optionalString(data.anchor), items: [], weight: 1)
            )
        case YAML_MAPPING_START_EVENT:
            try push(at: mark)
            let data = event.data.mapping_start
            stack.append(
                .mapping(
                    mark, Self.optionalString(data.tag), anchor: Self.optionalString(data.anchor), pairs: [],
                    pendingKey: nil, seen: [:], weight: 1))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            switch frame {
            case .sequence(let start, let tag, let anchor, let items, let weight):
                try emit(YAMLNode(.sequence(items), mark: start, tag: tag), weight: weight, anchor: anchor)
            case .mapping(let start, let tag, let anchor, let pairs, _, _, let weight):
                try emit(YAMLNode(.mapping(pairs), mark: start, tag: tag), weight: weight, anchor: anchor)
            }
        default:
            break
        }
    }

    private mutating func push(at mark: YAMLMark) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError("nesting is deeper than \(limits.maxDepth) levels; flatten the document", at: mark)
        }
    }

    private mutating func emit(
        _ node: YAMLNode, weight: Int, anchor: String?, aliasMark: YAMLMark? = nil
    ) throws(YAMLError) {
        expanded += aliasMark == nil ? 1 : weight
        if expanded > limits.maxExpandedNodes {
            throw YAMLError(
                "the document expands to more than \(limits.maxExpandedNodes) nodes (aliases included); remove the repeated aliases",
                at: aliasMark ?? node.mark)
        }
        var node = node
        if let aliasMark { node.mark = aliasMark }
        if let anchor { anchors[anchor] = (node, weight) }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(let mark, let tag, let anchor, var items, let total):
            items.append(node)
            stack.append(.sequence(mark, tag, anchor: anchor, items: items, weight: total + weight))
        case .mapping(let mark, let tag, let anchor, var pairs, let pendingKey, var seen, let total):
            if let key = pendingKey {
                pairs.append(YAMLPair(key: key, value: node))
                stack.append(
                    .mapping(
                        mark, tag, anchor: anchor, pairs: pairs, pendingKey: nil, seen: seen, weight: total + weight))
            } else {
                guard let text = node.scalar else {
                    throw YAMLError(
                        "a mapping key must be a plain value, found \(node.kindDescription) (an unquoted '{{ … }}' template placeholder? quote the value)",
                        at: node.mark)
                }
                if let first = seen[text] {
                    throw YAMLError(
                        "duplicate key '\(text)' (first at line \(first.line)); remove one of them", at: node.mark)
                }
                seen[text] = node.mark
                stack.append(
                    .mapping(
                        mark, tag, anchor: anchor, pairs: pairs, pendingKey: node, seen: seen, weight: total + weight))
            }
        }
    }

    private static func parserError(_ parser: yaml_parser_t, _ buffer: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = optionalString(parser.problem) ?? "unreadable YAML"
        let mark = YAMLMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        var message = "YAML syntax error: \(problem)"
        if let context = optionalString(parser.context) {
            let contextLine = Int(parser.context_mark.line) + 1
            message += " (\(context) at line \(contextLine))"
        }
        let index = Int(parser.problem_mark.index)
        let atTab = index >= 0 && index < buffer.count && buffer[index] == UInt8(ascii: "\t")
        if problem.contains("tab") || atTab {
            message += "; indent with spaces, not tabs"
        }
        return YAMLError(message, at: mark)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private static func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private static func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
