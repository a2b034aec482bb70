import FloeYAML

/// Options for reading stage files.
public struct SpecReaderOptions: Sendable, Hashable {
    /// Accept `{{ name }}` placeholders that have no value (`floectl validate --template`).
    public var allowTemplates: Bool
    /// Size, depth and alias-expansion bounds for the YAML reader.
    public var limits: YAMLLimits
    public init(allowTemplates: Bool = false, limits: YAMLLimits = .default) {
        self.allowTemplates = allowTemplates
        self.limits = limits
    }
}

/// Turns one stage file into a ``StageFile``: a checked ``StageObject`` or positioned diagnostics.
///
/// The object's name comes from the file name (without `.yaml`/`.yml`). A top-level header key
/// (`service`, `job`, `computePool`, `function`, `image`) says what the file is; a file without
/// one is a service with default properties.
public enum SpecReader {
    /// The header keys, in the order they are documented.
    public static let headerKeys = ["service", "job", "computePool", "function", "image"]

    /// Reads a file from disk. A file that cannot be read gives one error diagnostic at 1:1.
    public static func read(path: String, options: SpecReaderOptions = SpecReaderOptions()) -> StageFile {
        switch FileSystem.read(path, limit: options.limits.maxBytes) {
        case .success(let bytes):
            return read(path: path, bytes: bytes, options: options)
        case .failure(.tooLarge(let size)):
            return failed(
                path,
                "file is \(size) bytes, over the \(options.limits.maxBytes)-byte limit; split it or remove what it does not need"
            )
        case .failure(.unreadable(let why)):
            return failed(path, "cannot read the file: \(why)")
        }
    }

    /// Reads `bytes` as the content of the stage file at `path`.
    public static func read(path: String, bytes: [UInt8], options: SpecReaderOptions = SpecReaderOptions()) -> StageFile
    {
        let decoder = SpecDecoder(path: path, allowTemplates: options.allowTemplates)
        let name = objectName(path: path, decoder: decoder)
        guard let root = parse(bytes, options: options, decoder: decoder) else {
            return StageFile(
                path: path, name: name, object: nil, diagnostics: decoder.diagnostics.sorted(), digest: nil)
        }
        let object = decoder.object(root, fileDirectory: FilePath.directory(of: path))
        var file = StageFile(
            path: path, name: name, object: nil, diagnostics: decoder.diagnostics.sorted(), digest: nil)
        file.positions = decoder.positions
        if let object, !file.hasErrors {
            file.object = object
            file.digest = SpecDigest.digest(of: object)
        }
        return file
    }

    private static func failed(_ path: String, _ message: String) -> StageFile {
        let name = ObjectName(FileNameRule.stem(of: FilePath.fileName(of: path)))
        let diagnostic = Diagnostic(.error, file: path, line: 1, column: 1, message: message)
        return StageFile(path: path, name: name, object: nil, diagnostics: [diagnostic], digest: nil)
    }

    private static func objectName(path: String, decoder: SpecDecoder) -> ObjectName? {
        let fileName = FilePath.fileName(of: path)
        let stem = FileNameRule.stem(of: fileName)
        if let name = ObjectName(stem) { return name }
        decoder.error(FileNameRule.message(fileName: fileName, stem: stem), at: YAMLMark(line: 1, column: 1))
        return nil
    }

    /// Renders templates and parses the YAML; nil after an error (or for an empty file, with an error).
    private static func parse(_ bytes: [UInt8], options: SpecReaderOptions, decoder: SpecDecoder) -> YAMLNode? {
        // Size and UTF-8 problems are reported by the YAML reader before any template work.
        guard bytes.count <= options.limits.maxBytes, String(validating: bytes, as: UTF8.self) != nil else {
            return parseYAML(bytes, options: options, decoder: decoder)
        }
        let placeholders = SpecTemplate.scan(bytes)
        var needsValues = false
        var templateErrors = false
        for placeholder in placeholders {
            switch placeholder.kind {
            case .statement:
                templateErrors = true
                decoder.error(
                    "Jinja statements ('\(placeholder.text)') are not supported; render the template first (for example with jinja2) and stage the result",
                    at: placeholder.position.mark)
            case .unsupported:
                templateErrors = true
                decoder.error(
                    "template placeholder '\(placeholder.text)' is not supported; floe fills only {{ name }} and {{ name | default('value') }}",
                    at: placeholder.position.mark)
            case .value:
                needsValues = true
            case .secret:
                break
            }
        }
        if templateErrors { return nil }
        guard needsValues else { return parseYAML(bytes, options: options, decoder: decoder) }

        // First pass: same-length neutral tokens, to read `using:` with positions intact.
        let neutral = SpecTemplate.render(bytes, placeholders) { placeholder in
            guard case .value = placeholder.kind else { return nil }
            return String(repeating: "_", count: placeholder.end - placeholder.start)
        }
        guard let draft = parseYAML(neutral, options: options, decoder: decoder) else { return nil }
        let header = draft["service"] ?? draft["job"]
        let values = SpecDecoder.usingValues(header)
        let rendered = SpecTemplate.render(bytes, placeholders) { placeholder in
            guard case .value(let name, let defaultValue) = placeholder.kind else { return nil }
            if let value = values[name] ?? defaultValue { return value }
            if options.allowTemplates { return SpecTemplate.marker + name }
            templateErrors = true
            let place = header == nil ? "a service: or job: header's using:" : "using:"
            decoder.error(
                "template placeholder '\(placeholder.text)' has no value; add '\(name): …' under \(place) (or run floectl validate --template to check a template)",
                at: placeholder.position.mark)
            return nil
        }
        if templateErrors { return nil }
        var columnMap = ColumnMap()
        var multiLine = false
        for placeholder in placeholders {
            guard case .value(let name, let defaultValue) = placeholder.kind else { continue }
            let value = values[name] ?? defaultValue ?? SpecTemplate.marker + name
            multiLine = multiLine || value.contains("\n")
            columnMap.add(at: placeholder.position, original: placeholder.text, replacement: value)
        }
        // A value with line breaks moves lines too; positions then stay as in the rendered text.
        if !multiLine { decoder.columnMap = columnMap }
        return parseYAML(rendered, options: options, decoder: decoder)
    }

    private static func parseYAML(_ bytes: [UInt8], options: SpecReaderOptions, decoder: SpecDecoder) -> YAMLNode? {
        do {
            guard let root = try YAMLReader.parse(bytes, limits: options.limits) else {
                decoder.error(
                    "the file is empty; a service needs at least spec.containers (see docs/stage-files.md)",
                    at: YAMLMark(line: 1, column: 1))
                return nil
            }
            return root
        } catch {
            decoder.error(error.message, at: error.mark)
            return nil
        }
    }
}

extension SourcePosition {
    var mark: YAMLMark { YAMLMark(line: line, column: column) }
}

extension SpecDecoder {
    /// Reads the document: picks the kind from the header key and reads the rest.
    func object(_ root: YAMLNode, fileDirectory: String) -> StageObject? {
        guard let pairs = root.mapping else {
            error(
                "a stage file must be a mapping with 'spec' (or a header key), found \(describe(root))", at: root.mark)
            return nil
        }
        var header: (key: String, value: YAMLNode)?
        for pair in pairs {
            guard let key = pair.key.scalar, SpecReader.headerKeys.contains(key) else { continue }
            if let first = header {
                error(
                    "a file defines one object, but this one has both '\(first.key)' and '\(key)'; put each in its own file",
                    at: pair.key.mark)
                return nil
            }
            header = (key, pair.value)
        }
        let kind = header?.key ?? "service"
        let allowed: [String] =
            switch kind {
            case "service", "job": [kind, "spec", "serviceRoles", "capabilities"]
            default: [kind]
            }
        guard let fields = mapping(root, at: "", keys: allowed) else { return nil }
        switch kind {
        case "job":
            let header = jobHeader(fields["job"]!)
            let spec = serviceSpec(
                spec: fields["spec"], roles: fields["serviceRoles"], capabilities: fields["capabilities"], root: root)
            guard let header, let spec else { return nil }
            return .job(header, spec)
        case "computePool":
            return computePoolSpec(fields["computePool"]!).map { .computePool($0) }
        case "function":
            return functionSpec(fields["function"]!).map { .function($0) }
        case "image":
            return imageSpec(fields["image"]!, fileDirectory: fileDirectory).map { .image($0) }
        default:
            let header = fields["service"].map { serviceHeader($0) } ?? ServiceHeader()
            let spec = serviceSpec(
                spec: fields["spec"], roles: fields["serviceRoles"], capabilities: fields["capabilities"], root: root)
            guard let header, let spec else { return nil }
            return .service(header, spec)
        }
    }
}
