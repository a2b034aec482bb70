import Foundation
import Testing

@testable import FloeSpec

/// Reads `yaml` as the stage file `name` (in a directory that does not have to exist).
func read(_ yaml: String, name: String = "svc.yaml", templates: Bool = false) -> StageFile {
    SpecReader.read(
        path: "/stage/\(name)", bytes: Array(yaml.utf8), options: SpecReaderOptions(allowTemplates: templates))
}

/// Expects exactly one diagnostic of `severity` at `line`:`column` whose message contains every word.
func expectDiagnostic(
    _ file: StageFile, _ severity: Diagnostic.Severity = .error, line: Int, column: Int, _ words: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let matches = file.diagnostics.filter { diagnostic in
        diagnostic.severity == severity && diagnostic.line == line && diagnostic.column == column
            && words.allSatisfy { diagnostic.message.contains($0) }
    }
    #expect(
        matches.count == 1, "expected \(severity) at \(line):\(column) with \(words); got:\n\(describe(file))",
        sourceLocation: sourceLocation)
}

/// Expects no error diagnostics.
func expectClean(_ file: StageFile, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!file.hasErrors, "unexpected errors:\n\(describe(file))", sourceLocation: sourceLocation)
    #expect(file.object != nil, sourceLocation: sourceLocation)
}

func describe(_ file: StageFile) -> String {
    file.diagnostics.map(\.description).joined(separator: "\n")
}

/// The spec part most tests start from.
let minimalService = """
    spec:
      containers:
      - name: main
        image: /db/schema/repo/app:latest
    """

/// A temporary directory under FileManager's temporaryDirectory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("floe-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
