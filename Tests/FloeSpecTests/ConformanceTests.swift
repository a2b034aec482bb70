import Foundation
import Testing

@testable import FloeSpec

/// The published SPCS specs in `../shared/conformance/specs/` (relative to the repository).
enum Conformance {
    static var directory: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/FloeSpecTests/<file> -> repository
        return url.deletingLastPathComponent().appendingPathComponent("shared/conformance").path
    }

    /// File names in UNUSUAL.txt (Jinja templates, doc skeletons, scrape damage).
    static func unusual() -> Set<String> {
        guard let text = try? String(contentsOfFile: directory + "/UNUSUAL.txt", encoding: .utf8) else { return [] }
        return Set(
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty && !$0.hasPrefix("#")
            })
    }

    /// (file name, bytes) of every spec.
    static func specs() -> [(String, [UInt8])] {
        let specs = directory + "/specs"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: specs) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: specs + "/" + name) else { return nil }
            return (name, [UInt8](data))
        }
    }

    /// The published names use '-' (not allowed in SPCS identifiers); they are read under a name
    /// with '-' and '.' turned into '_'.
    static func stagePath(_ name: String) -> String {
        let stem = name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
        return "/stage/" + String(stem.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }) + ".yaml"
    }
}

@Suite("Conformance: published SPCS specs")
struct ConformanceTests {
    @Test func everyUsualSpecReadsAsAServiceWithoutErrors() {
        let specs = Conformance.specs()
        guard !specs.isEmpty else {
            Issue.record("no conformance specs found in \(Conformance.directory)/specs")
            return
        }
        let unusual = Conformance.unusual()
        #expect(!unusual.isEmpty, "UNUSUAL.txt is missing")
        var checked = 0
        for (name, bytes) in specs where !unusual.contains(name) {
            let templated = String(decoding: bytes, as: UTF8.self).contains("{{")
            let file = SpecReader.read(
                path: Conformance.stagePath(name), bytes: bytes, options: SpecReaderOptions(allowTemplates: templated))
            #expect(!file.hasErrors, "\(name):\n\(describe(file))")
            if case .service = file.object {} else { Issue.record("\(name) is not read as a service") }
            checked += 1
        }
        #expect(checked >= 40)
    }

    @Test func unusualSpecsSucceedOrGivePositionedErrors() {
        let unusual = Conformance.unusual()
        for (name, bytes) in Conformance.specs() where unusual.contains(name) {
            for templates in [false, true] {
                let file = SpecReader.read(
                    path: Conformance.stagePath(name), bytes: bytes,
                    options: SpecReaderOptions(allowTemplates: templates))
                #expect(file.object != nil || file.hasErrors, "\(name)")
                #expect(file.diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 }, "\(name)")
            }
        }
    }
}
